import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from '@wildtls/protocol-https';
import imap from '@wildtls/protocol-imap';
import tls from '@wildtls/protocol-tls';
import { ReuseAnalyzer } from '@wildtls/analysis-reuse';
import { PluginRegistry, createPassiveFlowFactory, passivePortMap, readCaptureFlows, watchedPorts, type ProbeRecord, type Report, type ReportTable, type WildtlsPlugin } from '@wildtls/core';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { startCapture, TCPDUMP } from '../passive/capture-harness.js';
import { CURL, OPENSSL, runClient } from '../passive/real-clients.js';
import { mintLinkCertificate, torHostname, type MintedPair } from '../passive/tor-certificate.js';

/**
 * Table V of passive records from a real capture: tcpdump on lo records curl
 * and openssl s_client talking to openssl s_server on 127.0.76.0/24, where one
 * certificate (A) is served on two IPs, another (B) on one, and a Tor-shaped
 * link certificate on a relay-like port; the reuse analysis's per-certificate,
 * per-server and per-connection rows, and what the Tor rule left out, are
 * checked against what the servers were given and the clients told to do.
 */
const IP1 = '127.0.76.1'; // A on 443 and 993
const IP2 = '127.0.76.2'; // A on 443
const IP3 = '127.0.76.3'; // B on 443, TLS 1.2 and 1.3
const RELAY = '127.0.76.4'; // the Tor-shaped certificate on 9001

const ready = requireBinaries([DAEMONS.openssl, { path: CURL, pkg: 'curl' }, { path: TCPDUMP, pkg: 'tcpdump' }]);

let dir = '';
const servers: Daemon[] = [];
let certs: Record<'A' | 'B' | 'tor', MintedPair>;
let records: ProbeRecord[] = [];
let report: Report;

const curl = (ip: string, ...args: string[]) => runClient(CURL, ['-s', '-k', '--max-time', '10', ...args, `https://${ip}/`]);
const sClient = (ip: string, port: number) => runClient(OPENSSL, ['s_client', '-connect', `${ip}:${port}`, '-tls1_2'], '');

/** What each client was told to do, in order: one TCP connection each. */
const RUNS: Array<() => Promise<unknown>> = [
  () => curl(IP1, '--tlsv1.2', '--tls-max', '1.2'),
  () => curl(IP1, '--tlsv1.2', '--tls-max', '1.2'),
  () => curl(IP2, '--tlsv1.2', '--tls-max', '1.2'),
  () => curl(IP3, '--tlsv1.2', '--tls-max', '1.2'),
  () => curl(IP3, '--tlsv1.3'), // TLS 1.3: the chain is hidden from the capture
  () => sClient(IP1, 993),
  () => sClient(RELAY, 9001),
];

async function serve(ip: string, port: number, c: MintedPair, tag: string): Promise<void> {
  writeFileSync(join(dir, `${tag}.pem`), c.certPem);
  writeFileSync(join(dir, `${tag}.key`), c.keyPem, { mode: 0o600 });
  servers.push(startForeground(OPENSSL, ['s_server', '-accept', `${ip}:${port}`, '-cert', join(dir, `${tag}.pem`), '-key', join(dir, `${tag}.key`), '-www', '-quiet']));
  await waitForPort(ip, port, 10_000);
}

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('passive-reuse');
  certs = {
    A: mintLinkCertificate(dir, 'a', '/O=wildtls test/CN=shared.wildtls.test', '/O=wildtls test/CN=Test CA A'),
    B: mintLinkCertificate(dir, 'b', '/O=wildtls test/CN=single.wildtls.test', '/O=wildtls test/CN=Test CA B'),
    tor: mintLinkCertificate(dir, 'tor', `/CN=${torHostname('.net')}`, `/CN=${torHostname('.com')}`),
  };
  await serve(IP1, 443, certs.A, 'a1');
  await serve(IP2, 443, certs.A, 'a2');
  await serve(IP3, 443, certs.B, 'b3');
  await serve(IP1, 993, certs.A, 'a1-imaps');
  await serve(RELAY, 9001, certs.tor, 'tor');
  const pcap = join(dir, 'reuse.pcap');
  const capture = await startCapture(pcap, 'net 127.0.76.0/24');
  for (const run of RUNS) await run();
  await capture.stop();
  const registry = new PluginRegistry([https, imap, tls].map((p) => ({ plugin: p as WildtlsPlugin, spec: p.id, source: 'builtin', entry: '' })) as never);
  const ports = passivePortMap(registry, { https: [443], imaps: [993], tls: [9001] });
  const all: ProbeRecord[] = [];
  await readCaptureFlows(pcap, createPassiveFlowFactory({ ports }, (r) => all.push(r)), { watchPorts: watchedPorts(ports) });
  all.sort((a, b) => a.passive!.captureStart.localeCompare(b.passive!.captureStart));
  // The clients' connections (their SYN is in the capture); readiness probes before the capture are not.
  records = all.filter((r) => !r.passive!.midStream);
  const analyzer = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'self-signed' }, classifierName: 't', topInvalid: 5 });
  for (const r of records) await analyzer.consume(r);
  report = await analyzer.finish();
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  if (dir) removeDir(dir);
});

const table = (id: string): ReportTable => report.tables.find((t) => t.id === id) ?? expect.unreachable(`no table ${id}`);

describe.runIf(ready)('reuse: Table V of passive records from a real capture (openssl s_server, curl, s_client)', () => {
  it('has one record per client connection, with the leaf each server was given (none for TLS 1.3)', () => {
    expect(records.map((r) => `${r.service} ${r.ip}:${r.port}`)).toEqual([
      `https ${IP1}:443`, `https ${IP1}:443`, `https ${IP2}:443`, `https ${IP3}:443`, `https ${IP3}:443`, `imaps ${IP1}:993`, `tls ${RELAY}:9001`,
    ]);
    const leaf = (c: MintedPair) => c.der.toString('base64');
    expect(records.map((r) => r.tls?.chain?.[0])).toEqual([leaf(certs.A), leaf(certs.A), leaf(certs.A), leaf(certs.B), undefined, leaf(certs.A), leaf(certs.tor)]);
    expect(records[4]!.passive).toMatchObject({ chainHidden: true });
  });

  it('the Tor rule left the relay\'s connection out, and the report lists both rules with their counts', () => {
    expect(table('passive-exclusions').rows).toEqual([
      { rule: 'alpn-http-push', description: expect.any(String), excluded: 0 },
      { rule: 'tor-link-certificate', description: expect.any(String), excluded: 1 },
    ]);
    expect(report.notes).toContainEqual(expect.stringMatching(/alpn-http-push left out 0; tor-link-certificate left out 1/));
  });

  it('per certificate: A on two IPs of 443, B on one; on 993 A is on one IP; over every port A is on two', () => {
    expect(table('passive-reuse').rows).toEqual([
      { service: 'https', port: 443, certificates: 2, onSeveralIps: 1, share: 1 / 2 },
      { service: 'imaps', port: 993, certificates: 1, onSeveralIps: 0, share: 0 },
      { service: 'all', port: null, certificates: 2, onSeveralIps: 1, share: 1 / 2 },
    ]);
  });

  it('per server and per connection', () => {
    expect(table('passive-reuse-servers').rows).toEqual([
      { service: 'https', port: 443, servers: 3, onSeveralIps: 2, share: 2 / 3 },
      { service: 'imaps', port: 993, servers: 1, onSeveralIps: 0, share: 0 },
      { service: 'all', port: null, servers: 4, onSeveralIps: 3, share: 3 / 4 },
    ]);
    expect(table('passive-reuse-connections').rows).toEqual([
      { service: 'https', port: 443, connections: 5, withCertificate: 4, onSeveralIps: 3, share: 3 / 4 },
      { service: 'imaps', port: 993, connections: 1, withCertificate: 1, onSeveralIps: 0, share: 0 },
      { service: 'all', port: null, connections: 6, withCertificate: 5, onSeveralIps: 4, share: 4 / 5 },
    ]);
  });
});
