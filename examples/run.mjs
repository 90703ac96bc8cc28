/**
 * Runs one example's server.ts: `node examples/run.mjs express`. Node 20 cannot run TypeScript
 * itself, so jiti compiles it on the fly. interopDefault is off because jiti's default-export
 * proxy hides Express's request getters (req.path, req.ip) from their own `this`.
 */
import { createJiti } from 'jiti';

const name = process.argv[2];
if (!['fastify', 'express', 'hono'].includes(name ?? '')) {
  console.error('usage: node examples/run.mjs fastify|express|hono');
  process.exit(2);
}
const jiti = createJiti(import.meta.url, { interopDefault: false });
await jiti.import(`./${name}/server.ts`);
