/**
 * A TCP proxy a test can cut, freeze and restore: a database outage, seen from the client,
 * without stopping the server other tests share.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The loopback port clients connect to. */
  port: number;
  /** Drops every connection and stops listening: new connections are refused (a server that is down). */
  cut(): Promise<void>;
  /** Keeps connections open but passes nothing either way (a server that hangs). */
  freeze(): void;
  /**
   * Keeps what clients send, passing it on only at `release()`: a network that delays requests
   * (a stalled link, a retransmission) past the client's timeout, delivering them late.
   */
  hold(): void;
  release(): void;
  /** Listens again on the same port and passes traffic again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards to `host:port`. */
export async function tcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  /** While holding: what each upstream is owed, in order. */
  let held: Array<{ upstream: Socket; data: Buffer }> | null = null;
  const make = (): Server =>
    createServer((client) => {
      const upstream = connect(port, host);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      // Forward by hand so that freezing drops bytes instead of buffering them for later.
      client.on('data', (d: Buffer) => {
        if (held) held.push({ upstream, data: d });
        else if (!frozen) upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!frozen) client.write(d);
      });
    });
  let server = make();
  const listen = (p: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : p);
      });
    });
  const own = await listen(0);
  let listening = true;
  const cut = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port: own,
    cut,
    freeze() {
      frozen = true;
    },
    hold() {
      held ??= [];
    },
    release() {
      const late = held ?? [];
      held = null;
      for (const { upstream, data } of late) upstream.write(data);
    },
    async restore() {
      if (frozen) {
        // Connections that lost bytes while frozen are out of step; end them as a real outage would.
        for (const s of sockets) s.destroy();
        frozen = false;
      }
      if (listening) return;
      server = make();
      await listen(own);
      listening = true;
    },
    close: cut,
  };
}
