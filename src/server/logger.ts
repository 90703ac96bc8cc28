import type { GatehouseConfig } from '../core/config.js';

/** Never logged: the credentials a request carries. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie'];

/**
 * The server's pino options: JSON lines in production, for log shippers; readable lines in
 * development, through pino-pretty when it is installed (an optional peer), loaded only then (a
 * production start never imports it).
 *
 * @example
 * const app = Fastify({ logger: await serverLogger(config, process.stdout) });
 */
export async function serverLogger(
  config: GatehouseConfig,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Promise<Record<string, unknown>> {
  const base = { level: config.logLevel, redact: REDACT };
  if (config.production) return base;
  const pretty = await loadPretty();
  if (!pretty) {
    // An optional peer: a server installed from npm without it logs JSON lines, and says why.
    process.stderr.write(
      'gatehouse: logging JSON lines; `npm install pino-pretty` for readable logs in development\n',
    );
    return base;
  }
  const stream = pretty({
    destination: out,
    colorize: out.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    // A dying process still writes its last lines.
    sync: true,
  });
  return { ...base, stream };
}

/** pino-pretty's factory, or null when the optional peer is not installed. */
async function loadPretty() {
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
}
