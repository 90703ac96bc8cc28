import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import { runCli, tempProject } from '../helpers/cli.js';

/** Spawn-heavy: each CLI run starts Node and opens the stores, seconds apiece on a busy machine. */
const SLOW = 120_000;

const PW = 'correct horse battery staple';

describe('gatehouse mfa reset', () => {
  it("turns a user's second factor off, audited; a user without one is left alone", {
    timeout: SLOW,
  }, async () => {
    const cwd = tempProject();
    const cli = (...args: string[]) => runCli(args, { cwd, input: PW });
    expect((await cli('createuser', 'erin', '--password-stdin')).code).toBe(0);
    const stores = await openStores({ database: `sqlite:${join(cwd, 'gatehouse.db')}` });
    try {
      const erin = (await stores.users.findByUsername('erin'))!;
      await stores.mfa.setTotp({ userId: erin.id, secret: 'sealed', confirmed: true, createdAt: Date.now() });
      await stores.mfa.replaceRecoveryCodes(erin.id, ['a'.repeat(64)], Date.now());

      const reset = await cli('mfa', 'reset', 'erin');
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain('Reset "erin"');
      expect(await stores.mfa.getTotp(erin.id)).toBeNull();
      expect(await stores.mfa.countRecoveryCodes(erin.id)).toBe(0);
      const events = await stores.audit.list({ userId: erin.id, limit: 10 });
      expect(events.find((e) => e.event === 'mfa_reset')?.detail).toEqual({ via: 'cli', had: ['totp'] });

      const again = await cli('mfa', 'reset', 'erin');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe('"erin" had no second factor; nothing changed.\n');
    } finally {
      await stores.close();
    }
    const nobody = await cli('mfa', 'reset', 'nobody');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user named "nobody"');
    expect((await cli('mfa')).code).toBe(2);
    expect((await cli('mfa', 'wipe', 'erin')).code).toBe(2);
  });
});
