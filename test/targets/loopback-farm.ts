import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export interface Farm {
  port: number;
  /** Addresses with a listener. */
  addresses: string[];
  /** Connections accepted, per local address. */
  connections: Map<string, number>;
  /** Time (Date.now()) of each address's first connection. */
  firstSeen: Map<string, number>;
  /** Time (performance.now()) of every accepted connection, in order. */
  acceptedAt: number[];
  close(): Promise<void>;
}

export interface FarmOptions {
  /** Delay before the banner, per address (ms); default 0. */
  delay?: (address: string) => number;
}

/**
 * One TCP server per loopback address (127.0.30.x), all on one port. Each
 * accepted connection is counted at the socket level, gets "220 <address>"
 * and is closed.
 */
export async function startFarm(addresses: string[], options: FarmOptions = {}): Promise<Farm> {
  const connections = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  const acceptedAt: number[] = [];
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const make = () =>
    createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      const local = socket.localAddress ?? '?';
      acceptedAt.push(performance.now());
      connections.set(local, (connections.get(local) ?? 0) + 1);
      if (!firstSeen.has(local)) firstSeen.set(local, Date.now());
      const delay = options.delay?.(local) ?? 0;
      const send = () => socket.end(`220 ${local}\r\n`);
      if (delay > 0) setTimeout(send, delay).unref();
      else send();
    });
  // The first listener picks the port; the rest reuse it on their own address.
  let port = 0;
  for (const address of addresses) {
    const server = make();
    server.listen({ host: address, port, backlog: 64 });
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
    servers.push(server);
  }
  return {
    port,
    addresses,
    connections,
    firstSeen,
    acceptedAt,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

/** 127.0.30.<from>..127.0.30.<to>. */
export function farmAddresses(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => `127.0.30.${from + i}`);
}
