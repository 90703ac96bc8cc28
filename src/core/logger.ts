/** The logging surface gatehouse uses; pino's loggers (and Fastify's) satisfy it. */
export interface Logger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** A logger that drops everything (the library default). */
export const silentLogger: Logger = { error: noop, warn: noop, info: noop, debug: noop };
