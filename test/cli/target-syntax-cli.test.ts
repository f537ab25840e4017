import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateChain } from '@wildtls/core/testing';
import { runCli } from './run-cli.js';

/** What the TLS listeners saw: the SNI name of each handshake, per local address and port. */
const seen: string[] = [];
const servers: Server[] = [];
let portA = 0;
let portB = 0;

async function listen(host: string): Promise<number> {
  const chain = await certificateChain();
  const s = createServer({ cert: chain.leaf.certPem + chain.intermediate.certPem, key: chain.leaf.keyPem }, (c: TLSSocket) => {
    c.on('error', () => {});
    c.end();
  });
  s.on('tlsClientError', () => {});
  s.on('secureConnection', (c: TLSSocket) => seen.push(`${c.localAddress}:${c.localPort} ${c.servername || '-'}`));
  s.listen({ host, port: 0 });
  await once(s, 'listening');
  servers.push(s);
  return (s.address() as { port: number }).port;
}

const records = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ip: string; port: number; service: string; domain?: string; status: string });
const quiet = ['--progress', 'off', '--log-level', 'warn', '--allow', '127.0.0.0/8'];

describe('target syntax on the command line and in --input files, against TLS listeners on 127.0.64.20-21', () => {
  beforeAll(async () => {
    portA = await listen('127.0.64.20');
    portB = await listen('127.0.64.21');
  });
  afterAll(() => {
    for (const s of servers) s.close();
  });

  it('IP:PORT probes that port only; IP,DOMAIN,,PORT sends DOMAIN as SNI without DNS', async () => {
    seen.length = 0;
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-syntax-'));
    const r = await runCli(['scan', `127.0.64.20:${portA}`, `127.0.64.21,mail.example.test,,${portB}`, '-p', 'tls', '--sni', ...quiet], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const got = records(r.stdout).map((x) => `${x.ip}:${x.port} ${x.domain ?? '-'} ${x.status}`).sort();
    expect(got).toEqual([`127.0.64.20:${portA} - success`, `127.0.64.21:${portB} mail.example.test success`]);
    expect(seen.filter((s) => s.startsWith('127.0.64.21'))[0]).toBe(`127.0.64.21:${portB} mail.example.test`);
  });

  it('the same syntax in an --input file; --port SERVICE=PORT gives a service its port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-syntax-'));
    writeFileSync(join(dir, 'targets.txt'), `# lab\n127.0.64.21,mail.example.test\n127.0.64.20:${portA}\n`);
    const r = await runCli(['scan', '--input', 'targets.txt', '-p', 'tls', '--port', `tls=${portB}`, ...quiet], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const got = records(r.stdout).map((x) => `${x.ip}:${x.port} ${x.domain ?? '-'} ${x.service} ${x.status}`).sort();
    // The target's own port wins over the service's port.
    expect(got).toEqual([`127.0.64.20:${portA} - tls success`, `127.0.64.21:${portB} mail.example.test tls success`]);
  });

  it('[IPv6]:PORT probes ::1 on that port (nothing listens: connect-failed on that port)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-syntax-'));
    const r = await runCli(['scan', '[::1]:1', '-p', 'tls', ...quiet, '--allow', '::1/128'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(records(r.stdout).map((x) => `${x.ip} ${x.port} ${x.status}`)).toEqual(['::1 1 connect-failed']);
  });
});
