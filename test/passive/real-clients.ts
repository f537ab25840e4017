import { spawn } from 'node:child_process';

export const SWAKS = '/usr/bin/swaks';
export const OPENSSL = '/usr/bin/openssl';
export const CURL = '/usr/bin/curl';

export interface ClientRun {
  code: number | null;
  out: string;
}

/** Run one real client to its end, bounded in time (killed by pid after `timeoutMs`), `input` on its stdin. */
export function runClient(cmd: string, args: string[], input = '', timeoutMs = 15_000): Promise<ClientRun> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.stdin.on('error', () => {});
    // s_client reads its stdin after the handshake: give the dialog time to get there.
    setTimeout(() => child.stdin.end(input), input ? 1500 : 0);
  });
}
