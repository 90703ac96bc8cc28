import Bowser from 'bowser';

/** What a session list says when a client sent no User-Agent at all. */
export const UNKNOWN_DEVICE = 'Unknown device';

/** Longest name taken from a non-browser client's product token ("python-requests"). */
const MAX_CLIENT_NAME = 40;

/**
 * Bowser's OS names, as a person would say them; an iPhone or iPad is named for itself, since
 * "Safari on iOS" does not tell the two apart.
 */
const OS_NAMES: Readonly<Record<string, string>> = {
  'Chrome OS': 'ChromeOS',
  'Windows Phone': 'Windows Phone',
};

/**
 * A short, human name for the device behind a User-Agent header: "Chrome on Linux", "Safari on
 * iPhone", "Firefox on Windows", and for tools that are not browsers their product name
 * ("curl", "python-requests"). Browsers are recognised by bowser, a maintained parser, so new
 * releases are not a matter of our own regular expressions.
 *
 * @example
 * deviceName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
 * // 'Chrome on Linux'
 * deviceName('curl/8.5.0'); // 'curl'
 */
export function deviceName(userAgent: string): string {
  const ua = userAgent.trim();
  if (!ua) return UNKNOWN_DEVICE;
  const parsed = Bowser.parse(ua);
  // Bowser's fallback names an unrecognised Mozilla/5.0 string "Mozilla": some browser, not one it knows.
  const browser = parsed.browser.name === 'Mozilla' ? 'Unknown browser' : parsed.browser.name;
  if (!browser) return clientName(ua);
  const os = osName(parsed);
  return os ? `${browser} on ${os}` : browser;
}

function osName(parsed: Bowser.Parser.ParsedResult): string | null {
  const model = parsed.platform.model;
  if (model === 'iPhone' || model === 'iPad' || model === 'iPod') return model;
  const name = parsed.os.name;
  if (!name) return null;
  return OS_NAMES[name] ?? name;
}

/** The first product token of a non-browser client ("curl/8.5.0" -> "curl"), bounded in length. */
function clientName(ua: string): string {
  const token = /^[^\s/();]+/.exec(ua)?.[0];
  if (!token) return UNKNOWN_DEVICE;
  return token.length > MAX_CLIENT_NAME ? `${token.slice(0, MAX_CLIENT_NAME)}…` : token;
}
