/**
 * What the core reports for metrics. The core never imports prom-client: the composition root
 * (`src/services/metrics/`) implements this over a registry when `metrics.enabled` is set, and
 * {@link NO_METRICS} stands in otherwise. Every label value passed here is from a closed set
 * (scheme names, error codes, event and scope names): never a username, a path or an id.
 */
export interface Metrics {
  /** One pipeline outcome: the scheme that answered and `ok`, the scheme and the refusal's code, or `none`. */
  authentication(scheme: string, outcome: string): void;
  /**
   * A security event, by its `AuditEventName` (audit.ts reports each one here; named by string so
   * this interface does not import the audit module that imports it): logins, mints, refreshes,
   * revocations, reuse.
   */
  event(name: string, scheme: string | null): void;
  /** A request refused by a throttle scope (429). */
  throttled(scope: string): void;
}

/** Metrics off: every report is dropped. */
export const NO_METRICS: Metrics = {
  authentication() {},
  event() {},
  throttled() {},
};
