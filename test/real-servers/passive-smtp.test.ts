import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import smtp from '@wildtls/protocol-smtp';
import { PluginRegistry, clientAnonymizer, createPassiveFlowFactory, passivePortMap, readCaptureFlows, recordLine, watchedPorts, type ProbeRecord, type WildtlsPlugin } from '@wildtls/core';
import { removeDir, tempDir, type Daemon } from '../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { startDovecotAuth } from './smtp/dovecot-auth.js';
import { POSTFIX_INSTALL, startPostfix } from './smtp/postfix.js';
import { writeTlsFiles, type TlsFiles } from './smtp/tls-files.js';
import { startCapture, TCPDUMP, TSHARK } from '../passive/capture-harness.js';
import { checkAgainstTshark } from '../passive/tshark-check.js';
import { OPENSSL, runClient, SWAKS } from '../passive/real-clients.js';

/**
 * The passive proof for SMTP: tcpdump on lo records real clients (swaks,
 * openssl s_client) talking to a real Postfix on 127.0.63.0/24; the capture's
 * connections are followed into records, and every field is checked against
 * what the client was told to do and against tshark's dissection of the same file.
 */
const PF = '127.0.63.1'; // 25 STARTTLS, 587 AUTH in the clear allowed, 465 implicit TLS
const PF2 = '127.0.63.2'; // 25 without TLS: STARTTLS is refused

const ready = requireBinaries([
  { ...DAEMONS.postfix, how: POSTFIX_INSTALL },
  DAEMONS.dovecot,
  DAEMONS.openssl,
  { path: SWAKS, pkg: 'swaks' },
  { path: TCPDUMP, pkg: 'tcpdump' },
  { path: TSHARK, pkg: 'tshark' },
]);

let dir = '';
let tls: TlsFiles;
const daemons: Daemon[] = [];
const all: ProbeRecord[] = [];
/** The connections the clients opened (their SYN is in the capture); the daemons' readiness probes may end inside it, mid-stream. */
let records: ProbeRecord[] = [];
let pcap = '';
const key = Buffer.from('a test key that the test keeps to itself', 'utf8');

const swaks = (...args: string[]) => runClient(SWAKS, ['--from', 'a@wildtls.test', '--to', 'b@wildtls.test', '--ehlo', 'client.wildtls.test', ...args]);
const sClient = (args: string[], input = '') => runClient(OPENSSL, ['s_client', '-quiet', '-crlf', ...args], input);

/** What each client was told to do, in the order it ran (one TCP connection each). */
const runs: Array<{ name: string; run: () => Promise<unknown> }> = [
  { name: 'swaks STARTTLS', run: () => swaks('--server', PF, '--port', '25', '--tls', '--quit-after', 'HELO') },
  { name: 'swaks clear', run: () => swaks('--server', PF, '--port', '25', '--quit-after', 'HELO') },
  { name: 'swaks AUTH PLAIN clear', run: () => swaks('--server', PF, '--port', '587', '--auth', 'PLAIN', '--auth-user', 'someone', '--auth-password', 'not-kept-anywhere', '--quit-after', 'AUTH') },
  { name: 's_client smtp 1.2', run: () => sClient(['-connect', `${PF}:25`, '-starttls', 'smtp', '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256', '-servername', 'mx.wildtls.test'], 'QUIT\n') },
  { name: 's_client smtp 1.3', run: () => sClient(['-connect', `${PF}:25`, '-starttls', 'smtp', '-tls1_3', '-ciphersuites', 'TLS_AES_256_GCM_SHA384'], 'QUIT\n') },
  { name: 's_client smtps 1.2 DHE', run: () => sClient(['-connect', `${PF}:465`, '-tls1_2', '-cipher', 'DHE-RSA-AES256-GCM-SHA384'], 'QUIT\n') },
  { name: 's_client refused', run: () => sClient(['-connect', `${PF2}:25`, '-starttls', 'smtp']) },
];

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('passive-smtp');
  tls = await writeTlsFiles(dir, 'mx.wildtls.test');
  const auth = await startDovecotAuth(dir, ['PLAIN', 'LOGIN']);
  daemons.push(auth.daemon);
  const sasl = '-o smtpd_sasl_auth_enable=yes -o broken_sasl_auth_clients=yes';
  daemons.push(await startPostfix(dir, {
    bundleFile: tls.bundleFile,
    saslSocket: auth.socket,
    services: [
      `${PF}:25 inet n - n - - smtpd`,
      `${PF}:587 inet n - n - - smtpd ${sasl} -o smtpd_tls_auth_only=no`,
      `${PF}:465 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes`,
      `${PF2}:25 inet n - n - - smtpd -o smtpd_tls_security_level=none`,
    ],
    listens: [{ host: PF, port: 25 }, { host: PF, port: 587 }, { host: PF, port: 465 }, { host: PF2, port: 25 }],
  }));
  pcap = join(dir, 'smtp.pcap');
  const capture = await startCapture(pcap, 'net 127.0.63.0/24 and (port 25 or port 587 or port 465)');
  for (const r of runs) await r.run();
  await capture.stop();
  const registry = new PluginRegistry([{ plugin: smtp as WildtlsPlugin, spec: 'smtp', source: 'builtin', entry: '' }] as never);
  const ports = passivePortMap(registry);
  const factory = createPassiveFlowFactory({ ports, clientIp: clientAnonymizer(key) }, (r) => all.push(r));
  await readCaptureFlows(pcap, factory, { watchPorts: watchedPorts(ports) });
  all.sort((a, b) => a.passive!.captureStart.localeCompare(b.passive!.captureStart));
  records = all.filter((r) => !r.passive!.midStream);
}, 120_000);

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('passive SMTP records from a real capture (Postfix, swaks, openssl)', () => {
  const rec = (name: string): ProbeRecord => {
    const i = runs.findIndex((r) => r.name === name);
    return records[i]!;
  };

  it('makes one record per connection, in the order the clients ran', () => {
    expect(records.map((r) => `${r.ip}:${r.port}`)).toEqual([`${PF}:25`, `${PF}:25`, `${PF}:587`, `${PF}:25`, `${PF}:25`, `${PF}:465`, `${PF2}:25`]);
    // Readiness probes still open when the capture began: followed from the middle, marked so, no TLS.
    for (const r of all.filter((x) => x.passive!.midStream)) expect(r.tls?.completed ?? false).toBe(false);
    for (const r of records) {
      expect(r.source).toBe('passive');
      expect(r.passive!.client.ip).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(r.passive!.client.ip).toBe(clientAnonymizer(key)('127.0.0.1'));
    }
  });
  const b64 = (der: Buffer) => der.toString('base64');
  const POSTFIX_CAPS = ['PIPELINING', 'SIZE 10240000', 'VRFY', 'ETRN', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING'];

  it('every TLS field agrees with tshark\'s dissection of the same capture', () => {
    expect(checkAgainstTshark(pcap, records, ['tcp.port==465,tls'])).toBe(4);
  });

  it('swaks --tls: STARTTLS offered, requested, accepted; the handshake completed and EHLO went encrypted', () => {
    const r = rec('swaks STARTTLS');
    expect(r.status).toBe('success');
    expect(r.banner).toBe('220 mx.wildtls.test ESMTP wildtls-test');
    expect(r.capabilities).toEqual({ beforeTls: POSTFIX_CAPS });
    expect(r.sasl).toEqual({ beforeTls: [] });
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '220 2.0.0 Ready to start TLS' });
    expect(r.passive).toMatchObject({ starttlsRequested: true, endReason: 'handshake-done', applicationData: true, midStream: false });
    expect(r.passive!.clientMechanism).toBeUndefined();
    expect(r.tls).toMatchObject({ completed: true, chain: [] });
  });

  it('swaks without --tls: STARTTLS offered, not requested; no TLS', () => {
    const r = rec('swaks clear');
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: true, upgraded: false });
    expect(r.passive).toMatchObject({ starttlsRequested: false, endReason: 'fin' });
    expect(r.tls).toBeUndefined();
  });

  it('swaks AUTH PLAIN in the clear: the mechanism name and the mechanisms offered, never the credential', () => {
    const r = rec('swaks AUTH PLAIN clear');
    expect(r.service).toBe('submission');
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN', 'LOGIN'] });
    expect(r.passive).toMatchObject({ starttlsRequested: false, clientMechanism: 'PLAIN', endReason: 'dialog-stopped' });
    const text = JSON.stringify(r);
    expect(text).not.toContain('someone');
    expect(text).not.toContain('not-kept-anywhere');
    expect(text).not.toContain(Buffer.from('\0someone\0not-kept-anywhere').toString('base64'));
  });

  it('s_client -starttls smtp -tls1_2 with one ECDHE suite: TLS 1.2, that suite, x25519, the chain as sent, SNI', () => {
    const r = rec('s_client smtp 1.2');
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', cipherSuite: { id: 0xc02f, name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' }, keyExchange: { kind: 'ECDHE', group: 'x25519', bits: 253 }, completed: true, ocspStapled: false });
    expect(r.tls!.chain).toEqual([b64(tls.chain.leaf.der), b64(tls.chain.intermediate.der)]);
    expect(r.passive!.clientHello).toMatchObject({ serverName: 'mx.wildtls.test', cipherSuites: [0xc02f, 0x00ff], supportedVersions: [] });
    expect(r.passive).toMatchObject({ resumed: false, applicationData: true });
    expect(r.passive!.chainHidden).toBeUndefined();
    expect(r.passive!.ja4).toMatch(/^t12d020700_[0-9a-f]{12}_[0-9a-f]{12}$/);
  });

  it('s_client -starttls smtp -tls1_3: TLS 1.3, the one suite offered, the chain hidden', () => {
    const r = rec('s_client smtp 1.3');
    expect(r.status).toBe('success');
    expect(r.tls).toMatchObject({ version: 'TLSv1.3', cipherSuite: { id: 0x1302 }, keyExchange: { kind: 'TLS13', group: 'x25519' }, completed: true, chain: [] });
    expect(r.passive).toMatchObject({ chainHidden: true, resumed: false });
    expect(r.passive!.clientHello!.supportedVersions).toEqual(['TLSv1.3']);
    expect(r.passive!.ja4).toMatch(/^t13i020900_/);
  });

  it('s_client on 465 (implicit TLS) with a DHE suite: no dialog, the DH prime\'s size from ServerKeyExchange', () => {
    const r = rec('s_client smtps 1.2 DHE');
    expect(r.service).toBe('smtps');
    expect(r.mode).toBe('implicit');
    expect(r.starttls).toBeUndefined();
    expect(r.tls).toMatchObject({ version: 'TLSv1.2', cipherSuite: { id: 0x009f }, keyExchange: { kind: 'DHE', bits: 2048 }, completed: true });
    expect(r.tls!.chain).toHaveLength(2);
  });

  it('a refused STARTTLS: the server did not offer it, the client asked anyway, the reply is kept', () => {
    const r = rec('s_client refused');
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toEqual({ offered: false, upgraded: false, reply: '502 5.5.1 Error: command not implemented' });
    expect(r.passive!.starttlsRequested).toBe(true);
    expect(r.tls).toBeUndefined();
  });

  it('every record\'s JSON line (what the JSONL sink writes) is JSON.stringify of the record', () => {
    for (const r of all) expect(recordLine(r)).toBe(JSON.stringify(r));
  });
});
