/**
 * DRF's permissions as every entry point exports them (the root and each adapter, for
 * `requireAuth()`): one list, so a permission added to the documented API reaches all four.
 * `credentialScopes`, which `hasScope` builds on, stays internal.
 *
 * @example
 * export * from '../edge/permissions.js';
 */
export {
  allOf,
  allowAny,
  anyOf,
  canManageAccount,
  hasScope,
  isAdmin,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  not,
  type Permission,
} from '../core/permissions.js';
