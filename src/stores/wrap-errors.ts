/**
 * Wraps every method of a store so whatever it throws passes through `translate` (into
 * StoreUnavailable or UniqueViolation): one wrapper per store instead of a try/catch in every
 * method, shared by the SQL and Redis backends.
 */
export function wrapErrors<T extends object>(impl: T, translate: (err: unknown) => unknown): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(impl)) {
    if (typeof member !== 'function') {
      wrapped[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await method.apply(impl, args);
      } catch (err) {
        throw translate(err);
      }
    };
  }
  return wrapped as T;
}
