import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';

/**
 * One step of a scripted (or recorded) exchange: the server sends `send`,
 * or waits for a line from the client matching `expect`, or upgrades to TLS.
 */
export type ScriptStep =
  | { send: string | Buffer; delayMs?: number }
  | { expect: RegExp | string }
  /** Wait for data matching, line ends or not (stream protocols such as XMPP send no newlines). */
  | { expectData: RegExp | string }
  | { startTls: true }
  | { close: true };

export interface ScriptedServerOptions {
  script: ScriptStep[];
  /** Certificate and key for `startTls` steps and for implicit TLS. */
  tls?: { certPem: string; keyPem: string; ca?: string[] };
  /** Wrap the connection in TLS before running the script (implicit-TLS services). */
  implicitTls?: boolean;
  host?: string;
}

export interface ScriptedServer {
  host: string;
  port: number;
  /** Lines the client sent, per connection. */
  received: string[][];
  /** Client lines that did not match the script's `expect` step (the server then closed). */
  mismatches: Array<{ expected: string; got: string }>;
  close(): Promise<void>;
}

/**
 * A fake server on loopback that replays a script (a recorded transcript of a
 * real exchange), so dialog tests run in milliseconds without daemons.
 */
export async function startScriptedServer(opts: ScriptedServerOptions): Promise<ScriptedServer> {
  const received: string[][] = [];
  const mismatches: Array<{ expected: string; got: string }> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    const log: string[] = [];
    received.push(log);
    void run(raw, opts, log, mismatches).catch(() => raw.destroy());
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host,
    port,
    received,
    mismatches,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function run(raw: Socket, opts: ScriptedServerOptions, log: string[], mismatches: Array<{ expected: string; got: string }>): Promise<void> {
  let sock: Socket = raw;
  if (opts.implicitTls) sock = await upgrade(raw, opts);
  let reader = lineReader(sock, log);
  for (const step of opts.script) {
    if ('send' in step) {
      if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
      if (sock.destroyed) return;
      sock.write(step.send);
    } else if ('expect' in step) {
      const line = await reader.next();
      if (line === undefined) return;
      const ok = typeof step.expect === 'string' ? line === step.expect : step.expect.test(line);
      if (!ok) {
        mismatches.push({ expected: String(step.expect), got: line });
        sock.end();
        return;
      }
    } else if ('expectData' in step) {
      if (!(await reader.nextData(step.expectData))) {
        mismatches.push({ expected: String(step.expectData), got: '(client closed before sending a match)' });
        sock.end();
        return;
      }
    } else if ('startTls' in step) {
      reader.stop();
      sock = await upgrade(sock, opts);
      reader = lineReader(sock, log);
    } else if ('close' in step) {
      sock.end();
      return;
    }
  }
  // Script done: keep the connection until the client leaves.
}

function upgrade(sock: Socket, opts: ScriptedServerOptions): Promise<Socket> {
  if (!opts.tls) throw new Error('scripted server: a TLS step needs tls.certPem/keyPem');
  return new Promise((resolve, reject) => {
    const t = new TLSSocket(sock, { isServer: true, cert: [opts.tls!.certPem, ...(opts.tls!.ca ?? [])].join('\n'), key: opts.tls!.keyPem });
    t.on('secure', () => resolve(t));
    t.on('error', reject);
  });
}

function lineReader(sock: Socket, log: string[]) {
  let buf = '';
  const lines: string[] = [];
  let waiter: ((l: string | undefined) => void) | undefined;
  let ended = false;
  // Everything received and not yet consumed by an expectData step.
  let raw = '';
  let dataWaiter: (() => void) | undefined;
  const onData = (d: Buffer) => {
    raw += d.toString('latin1');
    dataWaiter?.();
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      log.push(l);
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(l);
      } else lines.push(l);
    }
  };
  const onEnd = () => {
    ended = true;
    waiter?.(undefined);
    dataWaiter?.();
  };
  sock.on('data', onData);
  sock.on('end', onEnd);
  sock.on('close', onEnd);
  return {
    next: () => new Promise<string | undefined>((resolve) => (lines.length ? resolve(lines.shift()) : ended ? resolve(undefined) : (waiter = resolve))),
    nextData: (pattern: RegExp | string) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          const at = typeof pattern === 'string' ? raw.indexOf(pattern) : raw.search(pattern);
          if (at >= 0) {
            const len = typeof pattern === 'string' ? pattern.length : (raw.slice(at).match(pattern)?.[0].length ?? 0);
            raw = raw.slice(at + len);
            dataWaiter = undefined;
            resolve(true);
          } else if (ended) {
            dataWaiter = undefined;
            resolve(false);
          } else dataWaiter = check;
        };
        check();
      }),
    stop: () => {
      sock.off('data', onData);
      sock.off('end', onEnd);
      sock.off('close', onEnd);
    },
  };
}
