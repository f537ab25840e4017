import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// `wildtls targets` connects to nothing and sends no DNS query unless asked (issue 20, item 5).
// The resolver is a UDP socket on loopback that counts datagrams and never answers.
const HOST = '127.0.65.2';
let udp: Socket;
let received = 0;
let dns = '';
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wildtls-targets-dns-'));
  udp = createSocket('udp4');
  udp.on('message', () => received++);
  await new Promise<void>((r) => udp.bind(0, HOST, r));
  dns = `${HOST}:${udp.address().port}`;
});

beforeEach(() => {
  received = 0;
});

afterAll(async () => {
  await new Promise<void>((r) => udp.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

// A query that gets no answer gives up quickly.
const dnsArgs = () => ['--dns-server', dns, '--set', 'scan.dns.timeout=200', '--set', 'scan.dns.tries=1', '--set', 'scan.dns.ipv6=false'];
const settle = () => new Promise((r) => setTimeout(r, 200)); // a datagram in flight reaches the socket

describe('wildtls targets and DNS', () => {
  it('a host name among the targets: no query without --resolve; the addresses are listed, the name counted and named', async () => {
    const r = await runCli(['targets', 'mail.example.org', '127.0.65.0/30', '-p', 'smtp', '--allow', '127.0.0.0/8', '--order', 'sequential', ...dnsArgs()]);
    await settle();
    expect(received).toBe(0);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(['127.0.65.0', '127.0.65.1', '127.0.65.2', '127.0.65.3'].map((ip) => `${ip}\t25\tsmtp\n`).join(''));
    expect(r.stderr).toContain('wildtls: 1 host names or domains not listed: no DNS query was sent (mail.example.org); --resolve resolves them');
    const c = await runCli(['targets', 'mail.example.org', '127.0.65.0/30', '-p', 'smtp', '--allow', '127.0.0.0/8', '--count', ...dnsArgs()]);
    await settle();
    expect(received).toBe(0);
    expect(c.stdout).toMatch(/^targets\t4\nprobes\t4\nexcluded\t0\ninvalid\t1\nunresolved\t1\n/);
  });

  it('with --resolve the name is asked of the resolver (the socket does see queries when there are some)', async () => {
    const r = await runCli(['targets', 'mail.example.org', '-p', 'smtp', '--allow', '127.0.0.0/8', '--resolve', ...dnsArgs()]);
    await settle();
    expect(r.code).toBe(0);
    expect(received).toBeGreaterThan(0);
    expect(r.stderr).not.toContain('no DNS query was sent');
  });

  it('--source domains resolves by default and says so; --no-resolve sends nothing', async () => {
    const list = join(dir, 'domains.txt');
    writeFileSync(list, 'example.org\nexample.net\n');
    const quiet = await runCli(['targets', '--source', 'domains', '-i', list, '-p', 'smtp', '--no-resolve', ...dnsArgs()]);
    await settle();
    expect(received).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toContain('wildtls: 2 host names or domains not listed: no DNS query was sent (example.org, example.net); --resolve resolves them');
    const resolving = await runCli(['targets', '--source', 'domains', '-i', list, '-p', 'smtp', ...dnsArgs()]);
    await settle();
    expect(resolving.stderr).toContain('wildtls: resolving the domains through DNS to list their addresses (--no-resolve sends no query)');
    expect(received).toBeGreaterThan(0);
  });
});
