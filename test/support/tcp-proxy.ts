/**
 * A TCP proxy the tests control, put between an API instance and a service it needs (PostgreSQL,
 * Redis, the chain's RPC) to make the faults a network makes:
 *
 * - `cut()`: every open connection is reset and new ones are refused (reset at once), as when the
 *   service dies or a failover drops its connections;
 * - `blackhole()`: nothing flows any more, in either direction, on open connections or new ones
 *   (new ones are accepted but not connected onward), as when packets are lost on the way: the
 *   client sees no error, only silence;
 * - `restore()`: traffic flows again; what was held back during a blackhole goes through, new
 *   connections are made onward;
 * - `holdRepliesAfter(needle, n)`: once the n-th request carrying `needle` has gone through to the
 *   service, that connection's replies are held back: the service did the work, the client has not
 *   heard. A `cut()` then makes the write whose outcome the client cannot know.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export type ProxyMode = "open" | "cut" | "blackhole";

export type TcpProxy = {
  /** The port clients connect to, on 127.0.0.1. */
  readonly port: number;
  readonly mode: ProxyMode;
  /** Connections made through it so far (accepted, whether or not they reached the service). */
  readonly connections: number;
  cut(): void;
  blackhole(): void;
  restore(): void;
  /** Resolves when the `occurrence`-th chunk sent to the service containing `needle` went through and its connection's replies are held. */
  holdRepliesAfter(needle: string, occurrence?: number): Promise<void>;
  close(): Promise<void>;
};

type Pair = { client: Socket; upstream: Socket | null; connectOnward: () => void };

/** Starts a proxy on a free port of 127.0.0.1 that forwards to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "open";
  let connections = 0;
  const pairs = new Set<Pair>();
  let trigger: { needle: string; left: number; fire: () => void } | null = null;

  /** Copies `from` to `to` while the proxy is open, holding back (unread) while it is blackholed. */
  function forward(from: Socket, to: Socket) {
    from.on("data", (chunk: Buffer) => {
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => mode === "open" && from.resume());
      }
    });
    from.on("end", () => to.end());
  }

  const server: Server = createServer((client) => {
    connections++;
    if (mode === "cut") {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    const pair: Pair = {
      client,
      upstream: null,
      connectOnward() {
        if (pair.upstream !== null || client.destroyed) return;
        const upstream = connect(target.port, target.host);
        upstream.setNoDelay(true);
        pair.upstream = upstream;
        // Requests that carry the trigger's needle: after the chosen one, hold this connection's replies.
        client.on("data", (chunk: Buffer) => {
          if (trigger === null || !chunk.includes(trigger.needle)) return;
          if (--trigger.left > 0) return;
          const { fire } = trigger;
          trigger = null;
          upstream.pause();
          fire();
        });
        forward(client, upstream);
        forward(upstream, client);
        upstream.on("error", () => client.destroy());
        upstream.on("close", () => client.destroy());
      },
    };
    pairs.add(pair);
    client.on("error", () => pair.upstream?.destroy());
    client.on("close", () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (mode === "blackhole") client.pause();
    else pair.connectOnward();
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    get mode() {
      return mode;
    },
    get connections() {
      return connections;
    },
    cut() {
      mode = "cut";
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream?.resetAndDestroy();
      }
      pairs.clear();
    },
    blackhole() {
      mode = "blackhole";
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream?.pause();
      }
    },
    holdRepliesAfter(needle, occurrence = 1) {
      return new Promise<void>((fire) => (trigger = { needle, left: occurrence, fire }));
    },
    restore() {
      mode = "open";
      for (const pair of pairs) {
        pair.client.resume();
        pair.upstream?.resume();
        pair.connectOnward();
      }
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
