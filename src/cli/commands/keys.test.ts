import { statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decode, jwtGatehouse } from '../../../test/helpers/jwt.js';
import { tempProject } from '../../../test/helpers/temp.js';
import { readKeysFile } from '../../crypto/jwt/jwks-file.js';
import { parseArgs } from '../args.js';
import type { CommandEnv } from '../command.js';
import { keysCommand } from './keys.js';

/** Runs `gatehouse keys …` in process, in `cwd`, and returns what it printed. */
async function keys(cwd: string, argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  let err = '';
  const stderr = new PassThrough();
  stderr.on('data', (d) => {
    err += d;
  });
  const cmdEnv: CommandEnv = {
    io: {
      stdout: new PassThrough(),
      stderr,
      stdin: new PassThrough(),
      env: { GATEHOUSE_SECRET_KEY: 'k'.repeat(40), ...env },
      cwd,
    },
    print: (line) => out.push(line),
    open: () => Promise.reject(new Error('keys must not open the stores')),
    readSecret: () => Promise.reject(new Error('no secrets here')),
  };
  const code = await keysCommand.run(parseArgs(argv, keysCommand.flags), cmdEnv);
  return { code, out: out.join('\n'), err };
}

describe('gatehouse keys', () => {
  it('generate: the first key of a new file signs at once; the file is 0600', async () => {
    const cwd = tempProject();
    const res = await keys(cwd, ['generate', '--alg', 'ES256']);
    expect(res.code).toBe(0);
    const path = join(cwd, '.gatehouse/jwt-keys.json');
    expect(res.out).toContain(path);
    expect(res.err).toContain('jwt.keysFile');
    const file = readKeysFile(path)!;
    expect(file.keys).toHaveLength(1);
    expect(file.current).toBe(file.keys[0]!.kid);
    expect(file.keys[0]).toMatchObject({ alg: 'ES256', kty: 'EC', d: expect.any(String) });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('generate then rotate: the new key signs, the old one verifies until its tokens expire', async () => {
    const cwd = tempProject();
    const keysFile = join(cwd, 'keys.json');
    await keys(cwd, ['generate', '--alg', 'ES256', '--file', keysFile]);
    const before = await jwtGatehouse({ algorithm: 'ES256', keysFile });
    const old = await before.login();

    const pending = await keys(cwd, ['generate', '--alg', 'EdDSA'], { GATEHOUSE_JWT_KEYS_FILE: keysFile });
    expect(pending.out).toContain('does not sign yet');
    const [first, second] = readKeysFile(keysFile)!.keys;
    const published = await jwtGatehouse({ algorithm: 'ES256', keysFile });
    expect(decode((await published.login()).access).header.kid).toBe(first!.kid);
    const jwks = (await published.call('GET', '/.well-known/jwks.json')).body as {
      keys: Array<{ kid: string }>;
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual([first!.kid, second!.kid]);

    const rotated = await keys(cwd, ['rotate', '--file', keysFile]);
    expect(rotated.code).toBe(0);
    const file = readKeysFile(keysFile)!;
    expect(file.current).toBe(second!.kid);
    const retireAt = Date.parse(file.keys.find((k) => k.kid === first!.kid)!.retireAt as string);
    expect(retireAt - Date.now()).toBeGreaterThan(7 * 86400_000 - 60_000);

    const after = await jwtGatehouse(
      { algorithm: 'ES256', keysFile },
      {},
      { stores: before.stores, clock: before.clock, user: 'bob' },
    );
    expect((await after.me(old.access)).status).toBe(200);
    expect(decode((await after.login('bob')).access).header).toMatchObject({
      kid: second!.kid,
      alg: 'EdDSA',
    });

    const listed = await keys(cwd, ['list', '--file', keysFile]);
    expect(listed.out).toMatch(new RegExp(`${second!.kid}\\tEdDSA\\tsigning`));
    expect(listed.out).toMatch(new RegExp(`${first!.kid}\\tES256\\tretiring`));
  });

  it('rotate without a pending key makes one of the current algorithm', async () => {
    const cwd = tempProject();
    await keys(cwd, ['generate', '--alg', 'HS512']);
    await keys(cwd, ['rotate']);
    const file = readKeysFile(join(cwd, '.gatehouse/jwt-keys.json'))!;
    expect(file.keys.map((k) => k.alg)).toEqual(['HS512', 'HS512']);
    expect(file.current).toBe(file.keys[1]!.kid);
  });

  it('says what is wrong', async () => {
    const cwd = tempProject();
    await expect(keys(cwd, ['rotate'])).rejects.toThrow(/no current key/);
    await expect(keys(cwd, ['list'])).rejects.toThrow(/no keys/);
    await expect(keys(cwd, ['generate', '--alg', 'none'])).rejects.toThrow(/--alg: expected one of/);
    await expect(keys(cwd, ['spin'])).rejects.toThrow(/unknown action/);
    await expect(keys(cwd, [])).rejects.toThrow(/missing <generate/);
  });
});
