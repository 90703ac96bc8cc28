import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { defineConfig } from '../../src/core/config.js';
import { csrfSettings } from '../../src/core/settings/csrf.js';
import { emailSettings } from '../../src/core/settings/email.js';
import { jwtSettings } from '../../src/core/settings/jwt.js';
import { loginSettings } from '../../src/core/settings/login.js';
import { metricsSettings } from '../../src/core/settings/metrics.js';
import { mfaSettings } from '../../src/core/settings/mfa.js';
import { passwordSettings } from '../../src/core/settings/passwords.js';
import { serverSettings } from '../../src/core/settings/server.js';
import { sessionSettings } from '../../src/core/settings/sessions.js';
import { throttleSettings } from '../../src/core/settings/throttle.js';
import { tokenSettings } from '../../src/core/settings/tokens.js';
import { TEST_SECRET } from '../helpers/gatehouse.js';

const DOC = readFileSync(resolve(import.meta.dirname, '../../docs/configuration.md'), 'utf8');

/** The object schema inside defaults, optionals and transforms, or null for a leaf. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | null {
  let s = schema as unknown as { _zod: { def: Record<string, unknown> } };
  for (;;) {
    const def = s._zod.def;
    if (def.type === 'object') return def.shape as Record<string, z.ZodType>;
    const inner = def.innerType ?? def.in;
    if (!inner) return null;
    s = inner as typeof s;
  }
}

/** Every option's dotted path: `jwt.accessTokenLifetime`, `passwords.argon2.memoryCost`. */
function optionPaths(prefix: string, schema: z.ZodType): string[] {
  const shape = objectShape(schema);
  if (!shape) return [prefix];
  return Object.entries(shape).flatMap(([key, child]) => optionPaths(`${prefix}.${key}`, child));
}

describe('docs/configuration.md', () => {
  it('documents every option of the config', () => {
    const sections: Record<string, z.ZodType> = {
      server: serverSettings,
      passwords: passwordSettings,
      jwt: jwtSettings,
      tokens: tokenSettings,
      sessions: sessionSettings,
      csrf: csrfSettings,
      throttle: throttleSettings,
      email: emailSettings,
      login: loginSettings,
      metrics: metricsSettings,
      mfa: mfaSettings,
    };
    const topLevel = [...Object.keys(defineConfig({ secretKey: TEST_SECRET })), 'redis'].filter(
      (k) => !(k in sections) && k !== 'stores',
    );
    const paths = [
      ...topLevel,
      ...['users', 'sessions', 'apiTokens', 'jwtState', 'rateLimits', 'audit', 'mfa'].map(
        (s) => `stores.${s}`,
      ),
      ...Object.entries(sections).flatMap(([name, schema]) => optionPaths(name, schema)),
    ];
    expect(paths.length).toBeGreaterThan(40);
    const missing = paths.filter((p) => !DOC.includes(`| \`${p}\` |`));
    expect(missing, 'add a table row for each to docs/configuration.md').toEqual([]);
  });
});
