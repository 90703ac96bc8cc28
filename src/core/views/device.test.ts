import { describe, expect, it } from 'vitest';
import { deviceName, UNKNOWN_DEVICE } from './device.js';

// Real User-Agent headers, as the browsers and tools send them.
const CASES: ReadonlyArray<[string, string]> = [
  [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Chrome on Linux',
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Safari on iPhone',
  ],
  [
    'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Safari on iPad',
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    'Safari on macOS',
  ],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Microsoft Edge on Windows',
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    'Chrome on Android',
  ],
  [
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Chrome on ChromeOS',
  ],
  ['curl/8.5.0', 'curl'],
  ['python-requests/2.31.0', 'python-requests'],
  ['Go-http-client/1.1', 'Go-http-client'],
  ['okhttp/4.12.0', 'okhttp'],
];

describe('deviceName', () => {
  it.each(CASES)('names %s', (ua, name) => {
    expect(deviceName(ua)).toBe(name);
  });

  it('says so when there is no User-Agent, or a browser nobody knows', () => {
    expect(deviceName('')).toBe(UNKNOWN_DEVICE);
    expect(deviceName('   ')).toBe(UNKNOWN_DEVICE);
    expect(deviceName('Mozilla/5.0 (Nonesuch 1.0)')).toBe('Unknown browser');
  });

  it('keeps a tool’s name short, whatever it sends', () => {
    const name = deviceName(`${'x'.repeat(5000)}/1.0`);
    expect(name).toBe(`${'x'.repeat(40)}…`);
  });
});
