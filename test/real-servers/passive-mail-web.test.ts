import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import imap from '@wildtls/protocol-imap';
import pop3 from '@wildtls/protocol-pop3';
import https from '@wildtls/protocol-https';
import { certificateChain, type TestChain } from '@wildtls/core/testing';
import { PluginRegistry, createPassiveFlowFactory, passivePortMap, readCaptureFlows, recordLine, watchedPorts, type ProbeRecord, type WildtlsPlugin } from '@wildtls/core';
import { writeFileSync } from 'node:fs';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { startDovecot, type DovecotInstance } from './dovecot/start-dovecot.js';
import { startNginx, type NginxInstance } from './nginx/start-nginx.js';
import { startCapture, TCPDUMP, TSHARK } from '../passive/capture-harness.js';
import { checkAgainstTshark } from '../passive/tshark-check.js';
import { CURL, OPENSSL, runClient } from '../passive/real-clients.js';

/**
 * The passive proof for IMAP, POP3 and HTTPS: tcpdump on lo records openssl
 * s_client and curl talking to real Dovecot and nginx on 127.0.63.0/24; each
 * connection's record is checked against what its client was told to do and
 * against tshark's dissection of the same capture.
 */
const DV = '127.0.63.3'; // Dovecot with TLS, LOGINDISABLED before TLS
const DV_CLEAR = '127.0.63.5'; // Dovecot without TLS, plaintext logins allowed
const WEB = '127.0.63.4'; // nginx on 443, TLS 1.2 and 1.3
const OLD = '127.0.63.9'; // openssl s_server on 443 speaking TLS 1.0 only (security level 0)
const USER = 'scanner-test:not-a-real-password';

const ready = requireBinaries([DAEMONS.dovecot, DAEMONS.dovecotImap, DAEMONS.dovecotPop3, DAEMONS.nginx, DAEMONS.openssl, { path: CURL, pkg: 'curl' }, { path: TCPDUMP, pkg: 'tcpdump' }, { path: TSHARK, pkg: 'tshark' }]);

let dir = '';
let chain: TestChain;
let dv: DovecotInstance;
let dvClear: DovecotInstance;
let web: NginxInstance;
let old: Daemon | undefined;
let pcap = '';
const all: ProbeRecord[] = [];
/** The connections the clients opened (their SYN is in the capture); the daemons' readiness probes may end inside it, mid-stream. */
let records: ProbeRecord[] = [];
const pem = (...b: string[]) => b.map((x) => (x.endsWith('\n') ? x : `${x}\n`)).join('');

const sClient = (args: string[], input: string) => runClient(OPENSSL, ['s_client', '-quiet', '-crlf', ...args], input);
const curl = (...args: string[]) => runClient(CURL, ['-s', '-k', '--max-time', '10', ...args]);

/** What each client was told to do, in order (one TCP connection each). */
const runs: Array<{ name: string; run: () => Promise<unknown> }> = [
  { name: 's_client imap 1.2', run: () => sClient(['-connect', `${DV}:${dv.ports.imap}`, '-starttls', 'imap', '-tls1_2', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384'], 'a LOGOUT\n') },
  { name: 's_client pop3 1.3', run: () => sClient(['-connect', `${DV}:${dv.ports.pop3}`, '-starttls', 'pop3', '-tls1_3'], 'QUIT\n') },
  { name: 'curl imap STARTTLS', run: () => curl('--ssl-reqd', '-u', USER, `imap://${DV}:${dv.ports.imap}/`) },
  { name: 'curl imaps 1.2', run: () => curl('--tlsv1.2', '--tls-max', '1.2', '-u', USER, `imaps://${DV}:${dv.ports.imaps}/`) },
  { name: 'curl pop3s 1.3', run: () => curl('--tlsv1.3', '-u', USER, `pop3s://${DV}:${dv.ports.pop3s}/`) },
  { name: 'curl imap clear', run: () => curl('-u', USER, `imap://${DV_CLEAR}:${dvClear.ports.imap}/`) },
  { name: 'curl pop3 clear', run: () => curl('-u', USER, `pop3://${DV_CLEAR}:${dvClear.ports.pop3}/`) },
  { name: 'curl https 1.3', run: () => curl('--tlsv1.3', '--resolve', `www.wildtls.test:443:${WEB}`, 'https://www.wildtls.test/') },
  { name: 's_client tls1', run: () => sClient(['-connect', `${OLD}:443`, '-tls1', '-cipher', 'ECDHE-RSA-AES128-SHA@SECLEVEL=0', '-servername', 'old.wildtls.test'], 'GET / HTTP/1.0\n\n') },
  { name: 'curl https 1.2', run: () => curl('--tlsv1.2', '--tls-max', '1.2', '--http1.1', '--resolve', `www.wildtls.test:443:${WEB}`, 'https://www.wildtls.test/') },
];

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('passive-mail');
  chain = await certificateChain({ leafName: 'mail.wildtls.test' });
  const certChainPem = pem(chain.leaf.certPem, chain.intermediate.certPem);
  dv = await startDovecot({ ip: DV, ssl: true, disablePlaintextAuth: true, mechanisms: ['PLAIN', 'LOGIN'], certChainPem, keyPem: chain.leaf.keyPem });
  dvClear = await startDovecot({ ip: DV_CLEAR, ssl: false, disablePlaintextAuth: false, mechanisms: ['PLAIN'] });
  web = await startNginx(certChainPem, chain.leaf.keyPem, [{ ip: WEB, port: 443, serverName: 'www.wildtls.test', protocols: 'TLSv1.2 TLSv1.3', status: 204 }]);
  writeFileSync(join(dir, 'leaf.pem'), chain.leaf.certPem);
  writeFileSync(join(dir, 'inter.pem'), chain.intermediate.certPem);
  writeFileSync(join(dir, 'key.pem'), chain.leaf.keyPem, { mode: 0o600 });
  old = startForeground(OPENSSL, ['s_server', '-accept', `${OLD}:443`, '-cert', join(dir, 'leaf.pem'), '-cert_chain', join(dir, 'inter.pem'), '-key', join(dir, 'key.pem'), '-tls1', '-cipher', 'DEFAULT@SECLEVEL=0', '-www', '-quiet']);
  await waitForPort(OLD, 443, 10_000);
  pcap = join(dir, 'mail.pcap');
  const capture = await startCapture(pcap, 'net 127.0.63.0/24');
  for (const r of runs) await r.run();
  await capture.stop();
  const registry = new PluginRegistry([imap, pop3, https].map((p) => ({ plugin: p as WildtlsPlugin, spec: p.id, source: 'builtin', entry: '' })) as never);
  const ports = passivePortMap(registry, {
    imap: [dv.ports.imap, dvClear.ports.imap],
    imaps: [dv.ports.imaps],
    pop3: [dv.ports.pop3, dvClear.ports.pop3],
    pop3s: [dv.ports.pop3s],
  });
  const factory = createPassiveFlowFactory({ ports }, (r) => all.push(r));
  await readCaptureFlows(pcap, factory, { watchPorts: watchedPorts(ports) });
  all.sort((a, b) => a.passive!.captureStart.localeCompare(b.passive!.captureStart));
  records = all.filter((r) => !r.passive!.midStream);
}, 180_000);

afterAll(async () => {
  await web?.stop();
  await old?.stop();
  await dv?.stop();
  await dvClear?.stop();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('passive IMAP, POP3 and HTTPS records from a real capture (Dovecot, nginx, curl, openssl)', () => {
  const rec = (name: string): ProbeRecord => records[runs.findIndex((r) => r.name === name)]!;
  const b64 = (der: Buffer) => der.toString('base64');

  it('makes one record per connection, with the service the configured port map names', () => {
    expect(records.map((r) => r.service)).toEqual(['imap', 'pop3', 'imap', 'imaps', 'pop3s', 'imap', 'pop3', 'https', 'https', 'https']);
    // --no-anonymize: the address as captured.
    for (const r of records) expect(r.passive!.client.ip).toBe('127.0.0.1');
  });

  it('every TLS field agrees with tshark\'s dissection of the same capture', () => {
    const decodeAs = [`tcp.port==${dv.ports.imap},imap`, `tcp.port==${dv.ports.pop3},pop`, `tcp.port==${dv.ports.imaps},tls`, `tcp.port==${dv.ports.pop3s},tls`];
    expect(checkAgainstTshark(pcap, records, decodeAs)).toBe(8);
  });

  it('s_client -starttls imap: the greeting\'s capabilities with LOGINDISABLED, STARTTLS accepted, TLS 1.2 and the chain', () => {
    const r = rec('s_client imap 1.2');
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toEqual(expect.arrayContaining(['IMAP4rev1', 'STARTTLS', 'LOGINDISABLED']));
    expect(r.sasl).toEqual({ beforeTls: [] });
    expect(r.starttls).toMatchObject({ offered: true, upgraded: true });
    expect(r.starttls!.reply).toMatch(/^\. OK /);
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', cipherSuite: { id: 0xc030 }, keyExchange: { kind: 'ECDHE' }, completed: true });
    expect(r.tls!.chain).toEqual([b64(chain.leaf.der), b64(chain.intermediate.der)]);
  });

  it('s_client -starttls pop3 -tls1_3: STLS without CAPA first (no capabilities seen), accepted, TLS 1.3 with the chain hidden', () => {
    const r = rec('s_client pop3 1.3');
    expect(r.status).toBe('success');
    expect(r.banner).toMatch(/^\+OK /);
    expect(r.capabilities).toBeUndefined();
    expect(r.starttls).toMatchObject({ offered: true, upgraded: true });
    expect(r.tls).toMatchObject({ version: 'TLSv1.3', completed: true, chain: [] });
    expect(r.passive).toMatchObject({ starttlsRequested: true, chainHidden: true, applicationData: true });
  });

  it('curl imap --ssl-reqd: curl\'s own STARTTLS, after a CAPABILITY command', () => {
    const r = rec('curl imap STARTTLS');
    expect(r.status).toBe('success');
    expect(r.capabilities!.beforeTls).toEqual(expect.arrayContaining(['STARTTLS', 'LOGINDISABLED']));
    expect(r.passive).toMatchObject({ starttlsRequested: true });
    expect(r.passive!.clientMechanism).toBeUndefined();
    expect(r.tls!.completed).toBe(true);
  });

  it('curl imaps and pop3s: implicit TLS, the versions curl was held to', () => {
    expect(rec('curl imaps 1.2').tls).toMatchObject({ version: 'TLSv1.2', completed: true });
    expect(rec('curl imaps 1.2').tls!.chain).toHaveLength(2);
    expect(rec('curl pop3s 1.3').tls).toMatchObject({ version: 'TLSv1.3', completed: true });
    expect(rec('curl pop3s 1.3').passive!.clientHello!.supportedVersions).toEqual(['TLSv1.3']);
  });

  it('curl imap and pop3 without TLS: the SASL mechanism the client used in the clear, the name only', () => {
    const i = rec('curl imap clear');
    expect(i.status).toBe('no-starttls');
    expect(i.starttls).toEqual({ offered: false, upgraded: false });
    expect(i.sasl).toEqual({ beforeTls: ['PLAIN'] });
    expect(i.passive).toMatchObject({ starttlsRequested: false, clientMechanism: 'PLAIN', endReason: 'dialog-stopped' });
    const p = rec('curl pop3 clear');
    expect(p.passive).toMatchObject({ starttlsRequested: false, clientMechanism: 'PLAIN', endReason: 'dialog-stopped' });
    for (const r of [i, p]) expect(JSON.stringify(r)).not.toContain('not-a-real-password');
  });

  it('curl https: SNI and ALPN offered, the version asked for, h2 chosen on TLS 1.3', () => {
    const a = rec('curl https 1.3');
    expect(a.passive!.clientHello).toMatchObject({ serverName: 'www.wildtls.test', alpn: ['h2', 'http/1.1'] });
    expect(a.tls).toMatchObject({ version: 'TLSv1.3', completed: true });
    expect(a.passive!.ja4).toMatch(/^t13d\d{4}h2_/);
    const b = rec('curl https 1.2');
    expect(b.passive!.clientHello!.alpn).toEqual(['http/1.1']);
    expect(b.tls).toMatchObject({ version: 'TLSv1.2', alpn: 'http/1.1', completed: true });
    expect(b.tls!.chain).toEqual([b64(chain.leaf.der), b64(chain.intermediate.der)]);
  });

  it('s_client -tls1 against a TLS 1.0-only server: TLS 1.0, the one suite asked for, the chain as sent', () => {
    const r = rec('s_client tls1');
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ version: 'TLSv1.0', cipherSuite: { id: 0xc013, name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA' }, keyExchange: { kind: 'ECDHE' }, completed: true });
    expect(r.tls!.chain).toEqual([b64(chain.leaf.der), b64(chain.intermediate.der)]);
    expect(r.passive!.clientHello).toMatchObject({ version: '0x0301', serverName: 'old.wildtls.test' });
    expect(r.passive!.ja4).toMatch(/^t10d/);
  });

  it('every record\'s JSON line (what the JSONL sink writes) is JSON.stringify of the record', () => {
    for (const r of all) expect(recordLine(r)).toBe(JSON.stringify(r));
  });
});
