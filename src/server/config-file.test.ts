import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempProject } from '../../test/helpers/temp.js';
import { loadConfig, loadProject } from './config-file.js';

const secret = 's'.repeat(40);

describe('loadConfig', () => {
  it('reads gatehouse.config.json, and env wins over it', async () => {
    const cwd = tempProject();
    writeFileSync(
      join(cwd, 'gatehouse.config.json'),
      JSON.stringify({ secretKey: secret, server: { port: 9000 }, signup: true }),
    );
    const fromFile = await loadConfig({ cwd, env: {} });
    expect(fromFile.server.port).toBe(9000);
    expect(fromFile.signup).toBe(true);
    const withEnv = await loadConfig({
      cwd,
      env: { GATEHOUSE_PORT: '9100', GATEHOUSE_SIGNUP: 'false', GATEHOUSE_AUTHENTICATION: 'jwt, token' },
    });
    expect(withEnv.server.port).toBe(9100);
    expect(withEnv.signup).toBe(false);
    expect(withEnv.authentication).toEqual(['jwt', 'token', 'basic']);
    const cors = await loadConfig({
      cwd,
      env: {
        GATEHOUSE_CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
        GATEHOUSE_CORS_CREDENTIALS: '1',
      },
    });
    expect(cors.server.cors).toEqual({
      origins: ['https://app.example.com', 'http://localhost:5173'],
      credentials: true,
    });
    expect(cors.server.port).toBe(9000);
  });

  it('reads a TypeScript config file written with defineConfig, settings the loader has to resolve', async () => {
    const cwd = tempProject();
    const entry = join(import.meta.dirname, '../index.ts');
    writeFileSync(
      join(cwd, 'gatehouse.config.ts'),
      `import { defineConfig } from ${JSON.stringify(entry)};
const port: number = 9200;
export default defineConfig({
  secretKey: '${secret}',
  server: { port },
  jwt: { accessTokenLifetime: '5m', cookie: true },
  passwords: { validators: { minLength: 10 } },
  throttle: { login: '5/min' },
});
`,
    );
    const config = await loadConfig({ cwd, env: { GATEHOUSE_SIGNUP: 'true' } });
    expect(config.server.port).toBe(9200);
    expect(config.jwt.accessTokenLifetime).toBe(300);
    expect(config.signup).toBe(true);
  });

  it('takes the mail transport, sender and link origin from the environment, enough for production', async () => {
    const env = {
      NODE_ENV: 'production',
      GATEHOUSE_SECRET_KEY: secret,
      GATEHOUSE_EMAIL_URL: 'smtp://u:p@mail.example.com:587',
      GATEHOUSE_EMAIL_FROM: 'Example <no-reply@example.com>',
      GATEHOUSE_EMAIL_BASE_URL: 'https://app.example.com',
    };
    const config = await loadConfig({ cwd: tempProject(), env });
    expect(config.email).toMatchObject({
      url: env.GATEHOUSE_EMAIL_URL,
      from: env.GATEHOUSE_EMAIL_FROM,
      baseUrl: env.GATEHOUSE_EMAIL_BASE_URL,
      flows: true,
    });
  });

  it('returns the stores a config file exports, and refuses a stores export that is not a function', async () => {
    const cwd = tempProject();
    writeFileSync(
      join(cwd, 'gatehouse.config.mjs'),
      `export default { secretKey: '${secret}' };\nexport const stores = (config) => ({ marker: config.server.port });\n`,
    );
    const project = await loadProject({ cwd, env: {} });
    expect(await project.stores?.(project.config)).toEqual({ marker: 8000 });
    writeFileSync(
      join(cwd, 'other.mjs'),
      `export default { secretKey: '${secret}' };\nexport const stores = 1;\n`,
    );
    await expect(loadProject({ cwd, env: {}, configPath: 'other.mjs' })).rejects.toThrow(
      'the `stores` export must be a function',
    );
  });

  it('names a bad environment variable', async () => {
    const cwd = tempProject();
    await expect(
      loadConfig({ cwd, env: { GATEHOUSE_SECRET_KEY: secret, GATEHOUSE_PORT: 'eighty' } }),
    ).rejects.toThrow('GATEHOUSE_PORT: expected a whole number, got "eighty"');
    await expect(
      loadConfig({ cwd, env: { GATEHOUSE_SECRET_KEY: secret, GATEHOUSE_BASIC: 'maybe' } }),
    ).rejects.toThrow('GATEHOUSE_BASIC: expected true or false');
  });

  it('requires a secret in production and generates one once in development', async () => {
    const cwd = tempProject();
    await expect(loadConfig({ cwd, env: { NODE_ENV: 'production' } })).rejects.toThrow(
      'required in production',
    );
    const notices: string[] = [];
    const a = await loadConfig({ cwd, env: {}, notice: (m) => notices.push(m) });
    const b = await loadConfig({ cwd, env: {}, notice: (m) => notices.push(m) });
    expect(a.secretKey).toBe(b.secretKey);
    expect(a.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(notices).toHaveLength(1);
  });

  it('uses .gatehouse/jwt-keys.json when present, and GATEHOUSE_JWT_KEYS_FILE over it', async () => {
    const cwd = tempProject();
    const env = { GATEHOUSE_SECRET_KEY: secret };
    expect((await loadConfig({ cwd, env })).jwt.keysFile).toBeUndefined();
    mkdirSync(join(cwd, '.gatehouse'));
    writeFileSync(join(cwd, '.gatehouse/jwt-keys.json'), '{"keys": []}');
    expect((await loadConfig({ cwd, env })).jwt.keysFile).toBe(join(cwd, '.gatehouse/jwt-keys.json'));
    const other = await loadConfig({ cwd, env: { ...env, GATEHOUSE_JWT_KEYS_FILE: '/etc/keys.json' } });
    expect(other.jwt.keysFile).toBe('/etc/keys.json');
  });

  it('says which config file is missing', async () => {
    await expect(loadConfig({ cwd: tempProject(), env: {}, configPath: 'nope.json' })).rejects.toThrow(
      'config file not found',
    );
  });
});
