import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../src/adapters/fastify.js';
import { defineConfig } from '../../src/core/config.js';
import { buildServer } from '../../src/server/app.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import { FAST_HASHING, TEST_SECRET } from '../helpers/gatehouse.js';

/**
 * A route that queues an immediate before it answers, and a last onSend hook that notes when the
 * response is handed to the socket: with coalescing, the immediate queued earlier runs first.
 */
function probe(app: FastifyInstance, order: string[]): void {
  app.addHook('onSend', (_request, _reply, payload, done) => {
    order.push('write');
    done(null, payload);
  });
  app.get('/probe', async () => {
    setImmediate(() => order.push('immediate'));
    return { ok: true };
  });
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('coalesceWrites', () => {
  it('holds the response until the requests already read have been handled (check phase)', async () => {
    const order: string[] = [];
    app = Fastify();
    app.addHook('onSend', coalesceWrites);
    probe(app, order);
    const res = await app.inject({ method: 'GET', url: '/probe' });
    expect(res.json()).toEqual({ ok: true });
    expect(order).toEqual(['immediate', 'write']);
  });

  it('without it, the response is written in the same turn', async () => {
    const order: string[] = [];
    app = Fastify();
    probe(app, order);
    await app.inject({ method: 'GET', url: '/probe' });
    await nextTurn();
    expect(order).toEqual(['write', 'immediate']);
  });

  it.each([
    [undefined, ['immediate', 'write']],
    [false, ['write', 'immediate']],
  ])('the server adds it unless server.coalesceWrites is false (%s)', async (coalesce, expected) => {
    const config = defineConfig({
      secretKey: TEST_SECRET,
      database: 'memory:',
      passwords: { argon2: FAST_HASHING },
      ...(coalesce === undefined ? {} : { server: { coalesceWrites: coalesce } }),
    });
    const order: string[] = [];
    const server = await buildServer({ config, stores: createMemoryStores(), logger: false });
    app = server.app;
    probe(app, order);
    expect((await app.inject({ method: 'GET', url: '/probe' })).statusCode).toBe(200);
    await nextTurn();
    expect(order).toEqual(expected);
  });
});
