import type { Socket } from 'node:net';

/**
 * A test server's accepted sockets, held until the file's afterAll ends them: track() each one (its
 * errors ignored: the probe under test resets or abandons it on purpose), destroyAll() in afterAll.
 */
export class HeldSockets {
  private readonly sockets = new Set<Socket>();

  track(s: Socket): void {
    this.sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => this.sockets.delete(s));
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}
