import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stopPid } from '../harness/daemon.js';

/**
 * Captures for the passive proof: tcpdump on lo writes what real clients and
 * daemons say; tshark dissects the same file for the assertions. Both are
 * stopped by pid.
 */
export const TCPDUMP = '/usr/bin/tcpdump';
export const TSHARK = '/usr/bin/tshark';

export interface Capture {
  file: string;
  /** Stop tcpdump (SIGTERM: it flushes and closes the file) and wait until it is gone. */
  stop(): Promise<void>;
}

export async function startCapture(file: string, filter: string): Promise<Capture> {
  // -B: a 32 MiB kernel buffer (default 2 MiB), so a capture survives tcpdump being starved of CPU while the suite runs.
  const child = spawn(TCPDUMP, ['-i', 'lo', '--immediate-mode', '-U', '-B', '32768', '-s', '0', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start within 10 s: ${err}`)), 10_000);
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`tcpdump exited with ${code}: ${err}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    file,
    async stop() {
      // Let the last packets reach the file before tcpdump goes (--immediate-mode: none wait in a kernel block).
      await new Promise((r) => setTimeout(r, 500));
      await stopPid(child.pid ?? -1);
      await exited;
      if (!existsSync(file)) throw new Error(`tcpdump wrote no file: ${err}`);
      // A packet the kernel dropped is missing from every record built on the file: say so, instead of a wrong record.
      const dropped = Number(/(\d+) packets? dropped by kernel/.exec(err)?.[1] ?? 0);
      if (dropped > 0) throw new Error(`tcpdump dropped ${dropped} packets (the capture is incomplete): ${err}`);
    },
  };
}

/** tshark -T fields over a capture: one row per packet (matching `filter`), each field's values as tshark prints them. */
export function tsharkFields(file: string, fields: string[], filter: string, decodeAs: string[] = []): string[][] {
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=;', '-Y', filter];
  for (const d of decodeAs) args.push('-d', d);
  for (const f of fields) args.push('-e', f);
  const out = spawnSync(TSHARK, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (out.status !== 0) throw new Error(`tshark failed: ${out.stderr}`);
  return out.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}
