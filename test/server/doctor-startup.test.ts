/** The standalone server runs `gatehouse doctor`'s checks at start-up and logs what they find. */
import { describe, expect, it } from 'vitest';
import { startServe, tempProject } from '../helpers/cli.js';

const SLOW = 60_000;

describe('gatehouse serve: the doctor at start-up', () => {
  it('logs each finding as a warning with its rule and fix, and still serves', {
    timeout: SLOW,
  }, async () => {
    const server = await startServe({
      cwd: tempProject(),
      // Production logs JSON lines; a weak key and plain HTTP with session cookies are two findings.
      env: { NODE_ENV: 'production', GATEHOUSE_SECRET_KEY: 'x'.repeat(40) },
    });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const lines = server
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string; doctor?: { rule: string; fix: string } });
      const weak = lines.find((l) => l.doctor?.rule === 'secret-key-weak');
      expect(weak, server.stdout()).toBeDefined();
      // pino's warn level.
      expect(weak!.level).toBe(40);
      expect(weak!.msg).toMatch(/^doctor: the secret key/);
      expect(lines.some((l) => l.doctor?.rule === 'secure-cookies-impossible')).toBe(true);
      expect(weak!.doctor!.fix).toContain('GATEHOUSE_SECRET_KEY');
      // The secret itself is never in the log.
      expect(server.stdout()).not.toContain('x'.repeat(40));
    } finally {
      await server.stop();
    }
  });

  it('logs nothing from the doctor for a sound config', { timeout: SLOW }, async () => {
    const server = await startServe({
      cwd: tempProject(),
      env: {
        NODE_ENV: 'production',
        GATEHOUSE_SECRET_KEY: 'Qm9vZ2llLXdvb2dpZS1ib2FyZC1ibHVlLXJpdmVyLTQyLXN0YXJzLWFuZC1tb29ucw',
        GATEHOUSE_TRUST_PROXY: '127.0.0.1',
      },
    });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.stdout()).not.toContain('"doctor"');
    } finally {
      await server.stop();
    }
  });
});
