import { describe, expect, it } from 'vitest';
import * as catalogue from './core/errors.js';
import * as root from './index.js';
import * as testing from './testing.js';

// The root export is the documented API (README.md, docs/): a name added here is a promise to
// users, so it is added on purpose, with its docs. Internals belong to 'gatehouse-auth/testing'.
describe('public surface', () => {
  it('exports the documented API from the root, and nothing else at runtime', () => {
    const errorClasses = Object.keys(catalogue);
    const api = Object.keys(root).filter((name) => !errorClasses.includes(name));
    expect(api.sort()).toEqual(
      [
        // building a gatehouse
        'createGatehouse',
        'createServices',
        'defineConfig',
        'resolveConfig',
        'openStores',
        'openAppStores',
        'buildOpenApi',
        // Prometheus metrics an app serves itself (docs/metrics.md)
        'gatehouseMetrics',
        // the mails' default wording, to override one (docs/email.md)
        'DEFAULT_MAIL_TEMPLATES',
        // node's own refusals in DRF's shape (server.on('clientError', …))
        'clientErrorHandler',
        // DRF's permissions
        'allOf',
        'allowAny',
        'anyOf',
        'canManageAccount',
        'hasScope',
        'isAdmin',
        'isAuthenticated',
        'isAuthenticatedOrReadOnly',
        'not',
        // JWT signing keys (docs/jwt.md)
        'addSigningKey',
        'readKeysFile',
        'retirementDelayMs',
        'rotateSigningKey',
        'writeKeysFile',
        // the error catalogue as a namespace
        'errors',
      ].sort(),
    );
  });

  it('exports every error class, flat and as the errors namespace', () => {
    for (const [name, value] of Object.entries(catalogue)) {
      expect((root as Record<string, unknown>)[name]).toBe(value);
      expect((root.errors as Record<string, unknown>)[name]).toBe(value);
    }
    expect(new root.errors.PermissionDenied()).toBeInstanceOf(root.PermissionDenied);
  });

  it('keeps internals out of the root and offers what tests need from /testing', () => {
    for (const internal of [
      'Router',
      'Pipeline',
      'SessionHandle',
      'ManualClock',
      'createMemoryStores',
      'createUser',
    ])
      expect(root).not.toHaveProperty(internal);
    expect(Object.keys(testing).sort()).toEqual([
      'ManualClock',
      'Router',
      'activateUser',
      'changePassword',
      'createAuthRequest',
      'createMemoryStores',
      'createPasswordHasher',
      'createUser',
      'deactivateUser',
      'endAllCredentials',
    ]);
  });
});
