/** The logging surface gatehouse uses; pino's loggers (and Fastify's) satisfy it. */
export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** A logger that drops everything (for tests and benchmarks that provoke errors on purpose). */
export const silentLogger: Logger = { error: noop, warn: noop, info: noop, debug: noop };

/**
 * The library default: errors and warnings go to stderr with their stack, the rest is dropped.
 * An app's handler that throws must never answer 500 in silence; pass `logger` (pino, Fastify's
 * `app.log`) to route them elsewhere.
 */
export const stderrLogger: Logger = {
  error: (obj, msg) => console.error(formatEntry('error', obj, msg)),
  warn: (obj, msg) => console.error(formatEntry('warn', obj, msg)),
  info: noop,
  debug: noop,
};

function formatEntry(level: string, obj: object, msg?: string): string {
  const { err, ...fields } = obj as { err?: unknown };
  const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
  const head = `gatehouse ${level}: ${msg ?? ''}${extra}`;
  if (err instanceof Error) return `${head}\n${err.stack ?? `${err.name}: ${err.message}`}`;
  return err === undefined ? head : `${head}\n${String(err)}`;
}
