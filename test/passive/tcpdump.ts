import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';

export const TCPDUMP = '/usr/bin/tcpdump';
export const EDITCAP = '/usr/bin/editcap';
export const TSHARK = '/usr/bin/tshark';

export interface Capture {
  /** Stop the capture (SIGINT: tcpdump writes what it has) and resolve with its stderr (the drop counts). */
  stop(): Promise<string>;
}

/**
 * Start tcpdump writing FILE with these arguments; resolves once it listens (its "listening on" line),
 * so no packet sent after is missed. Bounded: a capture that does not start in 10 s is killed.
 */
export function startTcpdump(args: string[], file: string): Promise<Capture> {
  const child: ChildProcess = spawn(TCPDUMP, ['-U', '-B', '32768', '-w', file, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tcpdump did not start: ${stderr}`)); }, 10_000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`tcpdump exited ${code}: ${stderr}`)); });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (listening || !stderr.includes('listening on')) return;
      listening = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        stop: () => new Promise((done) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => { clearTimeout(kill); done(stderr); });
          child.kill('SIGINT');
        }),
      });
    });
  });
}

/** Run a tool to completion (bounded to 60 s); reject with its stderr on failure. */
export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/**
 * Wait until tcpdump has caught up: its file (written per packet with -U) has not grown for 1 s.
 * On a loaded machine tcpdump can read the kernel's buffer well after the packets were sent, and
 * stopping it then would cut the capture's end. Bounded to 20 s.
 */
export async function settled(files: string[]): Promise<void> {
  const size = () => files.map((f) => statSync(f).size).join(',');
  let last = size();
  for (let waited = 0, still = 0; waited < 20_000 && still < 1000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    const now = size();
    still = now === last ? still + 250 : 0;
    last = now;
  }
}
