import type { ServerProcess } from './process.js';
import { type CaseMeta, meRequests, type Runner, withPeer } from './runner.js';

const N = 32;

async function peerTokens(srv: ServerProcess): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < N; i++) {
    const res = await fetch(`${srv.origin}/login`, { method: 'POST' });
    out.push({ authorization: `Bearer ${((await res.json()) as { access: string }).access}` });
  }
  return out;
}

async function peerSessions(srv: ServerProcess): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (let i = 0; i < N; i++) {
    const res = await fetch(`${srv.origin}/login`, { method: 'POST' });
    out.push({ cookie: res.headers.getSetCookie()[0]!.split(';', 1)[0]! });
  }
  return out;
}

/** The bare route burning `us` µs of CPU per request: what a fixed cost does to the rate here. */
function calibration(us: number) {
  return {
    peer: 'bare',
    meta: {
      id: `bare-work-${us}`,
      label: `bare route + ${us} µs of work per request`,
      group: 'calibration',
      workUs: us,
    },
    headers: async () => [{}],
    env: { BENCH_WORK_US: String(us) },
  } as const;
}

const PEERS = {
  bare: {
    peer: 'bare',
    meta: { id: 'bare', label: 'bare route GET /api/me/ (no auth)', group: 'baseline' },
    headers: async () => [{}],
  },
  'bare-again': {
    peer: 'bare',
    meta: { id: 'bare-again', label: 'bare route GET /api/me/ (no auth), again', group: 'baseline' },
    headers: async () => [{}],
  },
  'bare-work-5': calibration(5),
  'bare-work-10': calibration(10),
  'bare-work-20': calibration(20),
  'fastify-jwt': {
    peer: 'fastify-jwt',
    meta: { id: 'fastify-jwt', label: 'GET /api/me/ JWT HS256 stateless', group: 'peer' },
    headers: peerTokens,
  },
  'express-session': {
    peer: 'express-session',
    meta: { id: 'express-session', label: 'GET /api/me/ session cookie (MemoryStore)', group: 'peer' },
    headers: peerSessions,
  },
} as const satisfies Record<
  string,
  {
    peer: 'bare' | 'fastify-jwt' | 'express-session';
    meta: CaseMeta;
    headers: (srv: ServerProcess) => Promise<Record<string, string>[]>;
    env?: Record<string, string>;
  }
>;

/**
 * The bare route or a peer: started with plain node, each credential obtained from the peer's
 * own /login, then measured like the gatehouse cases.
 */
export async function peerCases(runner: Runner, which: keyof typeof PEERS): Promise<void> {
  const entry: (typeof PEERS)[keyof typeof PEERS] = PEERS[which];
  const { peer, meta, headers } = entry;
  if (!runner.wants(meta.id)) return;
  try {
    await withPeer(
      peer,
      async (srv) => {
        await runner.run(meta, srv, async () =>
          runner.measure(srv, { requests: meRequests(await headers(srv)) }),
        );
      },
      'env' in entry ? entry.env : {},
    );
  } catch (err) {
    runner.unavailable(meta, peer, err);
  }
}
