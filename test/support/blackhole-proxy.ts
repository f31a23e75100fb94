/**
 * A TCP proxy on 127.0.0.1 that can go silent: `blackhole()` stops every byte in both directions while
 * the sockets stay open, as a dropped route or a paused pooler does; `heal()` lets everything flow again,
 * including what was held back, as TCP retransmission would.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface BlackholeProxy {
  port: number;
  /** The given URL, pointed at the proxy. */
  url(serverUrl: string): string;
  blackhole(): void;
  heal(): void;
  /** Client connections currently open. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startBlackholeProxy(target: { host: string; port: number }): Promise<BlackholeProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let silent = false;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // pipe() resumes a paused source on 'drain', which would undo the black hole; forward by hand.
    const forward = (from: Socket, to: Socket) => from.on('data', (chunk: Buffer) => to.write(chunk));
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.on('error', close);
      s.on('close', close);
      if (silent) s.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url(serverUrl: string) {
      const u = new URL(serverUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    blackhole() {
      silent = true;
      for (const pair of pairs) for (const s of pair) s.pause();
    },
    heal() {
      silent = false;
      for (const pair of pairs) for (const s of pair) s.resume();
    },
    connections: () => pairs.size,
    async stop() {
      for (const pair of pairs) for (const s of pair) s.destroy();
      pairs.clear();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
