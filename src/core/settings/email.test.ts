import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { ConfigError } from '../errors.js';

const secretKey = 'a-secret-key-of-at-least-32-characters!';

describe('email settings', () => {
  it('turn the flows on in development (the outbox) and when a transport is set', () => {
    expect(resolveConfig({ secretKey }).email.flows).toBe(true);
    const prod = { secretKey, production: true };
    expect(resolveConfig(prod).email.flows).toBe(false);
    const configured = {
      ...prod,
      email: { url: 'smtps://u:p@mail.example.com', baseUrl: 'https://app.example.com' },
    };
    expect(resolveConfig(configured).email).toMatchObject({ flows: true, resetTimeout: 3600 });
  });

  it('refuse flows in production without a transport or a link origin', () => {
    const err = (() => {
      try {
        resolveConfig({ secretKey, production: true, email: { flows: true } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['email.url', 'email.baseUrl']);
  });

  it('name what is accepted for a wrong url', () => {
    expect(() => resolveConfig({ secretKey, email: { url: 'http://mail' } })).toThrow(
      /email\.url: expected "smtp:/,
    );
  });
});
