import type { AddressInfo, Server } from 'node:net';

/**
 * `server.listen(port, host)` as a promise that settles either way: the port it listens on (the
 * one the system chose for port 0), or the listen error (EADDRINUSE when another test run or a
 * leftover process holds the address) at once, where a bare `listen(port, host, resolve)` leaves
 * the hook waiting for its timeout with no word of why. For node:net and node:tls servers alike.
 */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error): void => reject(err);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
