/**
 * Errors a store throws. Stores sit at the bottom of the layers, so these know nothing of HTTP;
 * the HTTP layer maps StoreUnavailable to 503 `service_unavailable` (fail closed).
 */
export class StoreUnavailable extends Error {
  readonly store: string;
  constructor(store: string, cause?: unknown) {
    super(`the ${store} store is unavailable${cause instanceof Error ? `: ${cause.message}` : ''}`);
    this.name = 'StoreUnavailable';
    this.store = store;
    if (cause !== undefined) this.cause = cause;
  }
}

/** A unique value (username, token digest) is already taken. */
export class UniqueViolation extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`${field} is already taken`);
    this.name = 'UniqueViolation';
    this.field = field;
  }
}
