import type { GatehouseConfig } from '../core/config.js';

/** Never logged: the credentials a request carries. */
const REDACT = ['req.headers.authorization', 'req.headers.cookie'];

/**
 * The server's pino options: JSON lines in production, for log shippers; readable lines in
 * development, through pino-pretty, loaded only then (a production start never imports it).
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
  const { default: pretty } = await import('pino-pretty');
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
