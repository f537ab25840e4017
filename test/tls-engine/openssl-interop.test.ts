import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeStapledOcsp } from '@wildtls/analysis-crypto';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { requireBinary } from '../harness/require-binary.js';
import { makePki, type TestPki } from './pki.js';
import { handshakeAndTalk } from './peer.js';

/**
 * Interop matrix against Debian's `openssl s_server` (OpenSSL 3.0) on 127.0.20.10-49:
 * every version it supports (TLS 1.0 to 1.3; SSL 3.0 is not built), ECDHE-RSA,
 * ECDHE-ECDSA, DHE 1024/2048, RSA key exchange, CBC and GCM suites, ChaCha20.
 * Each cell asserts version, suite, group, the chain bytes as sent and an
 * application-data round trip (s_server -www answers a GET).
 */
interface Cell {
  name: string;
  server: string[];
  cert?: 'rsa' | 'ec';
  profile: Record<string, unknown> | string;
  version: string;
  suite: string;
  kx: Record<string, unknown>;
  ocsp?: boolean;
  helloRetry?: string;
}

const tls12 = (suite: string, extra: Record<string, unknown> = {}) => ({ extends: 'compat', cipherSuites: [suite], ...extra });
const cells: Cell[] = [
  { name: 'TLS 1.3 x25519 AES-128-GCM, OCSP stapled', server: ['-status_file', 'ocsp.der'], profile: 'modern', version: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', kx: { kind: 'TLS13', group: 'x25519' }, ocsp: true },
  { name: 'TLS 1.3 AES-256-GCM', server: ['-ciphersuites', 'TLS_AES_256_GCM_SHA384'], profile: 'modern', version: 'TLSv1.3', suite: 'TLS_AES_256_GCM_SHA384', kx: { kind: 'TLS13', group: 'x25519' } },
  { name: 'TLS 1.3 ChaCha20-Poly1305', server: ['-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256'], profile: 'modern', version: 'TLSv1.3', suite: 'TLS_CHACHA20_POLY1305_SHA256', kx: { kind: 'TLS13', group: 'x25519' } },
  { name: 'TLS 1.3 HelloRetryRequest to P-256', server: ['-groups', 'P-256'], profile: 'modern', version: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', kx: { kind: 'TLS13', group: 'secp256r1' }, helloRetry: 'secp256r1' },
  { name: 'TLS 1.3 P-256 share, ECDSA certificate', server: [], cert: 'ec', profile: { extends: 'modern', keyShares: ['secp256r1'] }, version: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', kx: { kind: 'TLS13', group: 'secp256r1' } },
  { name: 'TLS 1.2 ECDHE-RSA AES-128-GCM P-256, OCSP', server: ['-no_tls1_3', '-status_file', 'ocsp.der'], profile: tls12('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'), version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', kx: { kind: 'ECDHE', group: 'secp256r1', bits: 256 }, ocsp: true },
  { name: 'TLS 1.2 ECDHE-ECDSA AES-256-GCM', server: ['-no_tls1_3'], cert: 'ec', profile: tls12('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'), version: 'TLSv1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: 'TLS 1.2 ECDHE-ECDSA AES-128-CBC-SHA256', server: ['-no_tls1_3'], cert: 'ec', profile: tls12('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256'), version: 'TLSv1.2', suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: 'TLS 1.2 ECDHE-RSA ChaCha20 x25519', server: ['-no_tls1_3'], profile: tls12('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', { groups: ['x25519'] }), version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', kx: { kind: 'ECDHE', group: 'x25519' } },
  { name: 'TLS 1.2 ECDHE-RSA P-384 AES-256-CBC-SHA384', server: ['-no_tls1_3'], profile: tls12('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', { groups: ['secp384r1'] }), version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', kx: { kind: 'ECDHE', group: 'secp384r1', bits: 384 } },
  { name: 'TLS 1.2 DHE-RSA 1024 AES-128-CBC-SHA', server: ['-no_tls1_3', '-dhparam', 'dh1024.pem', '-cipher', 'DHE-RSA-AES128-SHA:@SECLEVEL=0'], profile: tls12('TLS_DHE_RSA_WITH_AES_128_CBC_SHA'), version: 'TLSv1.2', suite: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', kx: { kind: 'DHE', bits: 1024 } },
  { name: 'TLS 1.2 DHE-RSA 2048 AES-256-GCM', server: ['-no_tls1_3', '-dhparam', 'dh2048.pem'], profile: tls12('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384'), version: 'TLSv1.2', suite: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', kx: { kind: 'DHE', bits: 2048 } },
  { name: 'TLS 1.2 RSA AES-128-CBC-SHA256', server: ['-no_tls1_3', '-cipher', 'AES128-SHA256'], profile: tls12('TLS_RSA_WITH_AES_128_CBC_SHA256'), version: 'TLSv1.2', suite: 'TLS_RSA_WITH_AES_128_CBC_SHA256', kx: { kind: 'RSA' } },
  { name: 'TLS 1.2 RSA AES-256-GCM', server: ['-no_tls1_3', '-cipher', 'AES256-GCM-SHA384'], profile: tls12('TLS_RSA_WITH_AES_256_GCM_SHA384'), version: 'TLSv1.2', suite: 'TLS_RSA_WITH_AES_256_GCM_SHA384', kx: { kind: 'RSA' } },
  { name: 'TLS 1.1 ECDHE-RSA AES-128-CBC-SHA', server: ['-tls1_1', '-cipher', 'ALL:@SECLEVEL=0'], profile: tls12('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', { clientVersion: 'TLSv1.1' }), version: 'TLSv1.1', suite: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: 'TLS 1.0 DHE-RSA 2048 AES-256-CBC-SHA', server: ['-tls1', '-dhparam', 'dh2048.pem', '-cipher', 'ALL:@SECLEVEL=0'], profile: tls12('TLS_DHE_RSA_WITH_AES_256_CBC_SHA', { clientVersion: 'TLSv1.0' }), version: 'TLSv1.0', suite: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA', kx: { kind: 'DHE', bits: 2048 } },
  { name: 'TLS 1.0 RSA AES-128-CBC-SHA', server: ['-tls1', '-cipher', 'AES128-SHA:@SECLEVEL=0'], profile: tls12('TLS_RSA_WITH_AES_128_CBC_SHA', { clientVersion: 'TLSv1.0' }), version: 'TLSv1.0', suite: 'TLS_RSA_WITH_AES_128_CBC_SHA', kx: { kind: 'RSA' } },
];

const OPENSSL = '/usr/bin/openssl';

describe.runIf(requireBinary(OPENSSL, 'openssl'))('interop: openssl s_server', () => {
  let pki: TestPki;
  const daemons: Daemon[] = [];
  beforeAll(async () => {
    pki = makePki(tempDir('tls-interop'));
    cells.forEach((c, i) => {
      const cert = c.cert ?? 'rsa';
      daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `127.0.20.${10 + i}:4433`, '-cert', `${cert}.crt`, '-key', `${cert}.key`, '-cert_chain', 'ca.crt', '-www', '-quiet', ...c.server], { cwd: pki.dir }));
    });
    await Promise.all(cells.map((_, i) => waitForPort(`127.0.20.${10 + i}`, 4433)));
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    if (pki) removeDir(pki.dir);
  });

  cells.forEach((c, i) => {
    it(c.name, async () => {
      const r = await handshakeAndTalk(`127.0.20.${10 + i}`, 4433, c.profile, 'GET / HTTP/1.0\r\n\r\n', /<\/HTML>/i);
      expect(r.info.error, daemons[i]!.output()).toBeUndefined();
      expect(r.info.completed).toBe(true);
      expect(r.info.version).toBe(c.version);
      expect(r.info.cipherSuite?.name).toBe(c.suite);
      expect(r.info.keyExchange).toMatchObject(c.kx);
      expect(r.info.chain).toEqual([c.cert === 'ec' ? pki.ecLeafDer : pki.rsaLeafDer, pki.caDer]);
      expect(r.info.ocspStapled).toBe(!!c.ocsp);
      if (c.ocsp) {
        expect(r.info.ocspResponse).toBe(pki.ocspDer);
        // The PKI's responder knows no certificates (empty index), so it vouches "unknown" for the leaf.
        expect(judgeStapledOcsp(r.info.ocspResponse!, r.info.chain[0], new Date())).toEqual({ kind: 'unknown', stale: false });
      }
      if (c.helloRetry) expect(r.info.helloRetry?.group).toBe(c.helloRetry);
      // s_server issues tickets (TLS 1.2: one, in the handshake; TLS 1.3: two, before the reply), all under one key.
      const tickets = r.info.sessionTickets ?? [];
      expect(tickets.length).toBe(c.version === 'TLSv1.3' ? 2 : 1);
      for (const t of tickets) expect(t).toMatchObject({ lifetime: 7200, keyName: tickets[0]!.keyName });
      // The application-data round trip: s_server -www names the negotiated cipher in its page.
      expect(r.reply).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
      expect(r.reply).toMatch(/<\/HTML>/i);
    });
  });

  it('observe-only: TLS 1.2 stops after ServerHelloDone with chain and DHE size, no stream', async () => {
    const i = cells.findIndex((c) => c.name.startsWith('TLS 1.2 DHE-RSA 1024'));
    const r = await handshakeAndTalk(`127.0.20.${10 + i}`, 4433, 'compat', '', /x/, { observeOnly: true });
    expect(r.stream).toBeUndefined();
    expect(r.info).toMatchObject({ completed: false, notCompletedReason: 'observe-only', version: 'TLSv1.2', keyExchange: { kind: 'DHE', bits: 1024 } });
    expect(r.info.chain).toEqual([pki.rsaLeafDer, pki.caDer]);
  });

  it('a version the server refuses ends in a classified alert', async () => {
    const i = cells.findIndex((c) => c.name.startsWith('TLS 1.0 RSA'));
    const r = await handshakeAndTalk(`127.0.20.${10 + i}`, 4433, 'modern', '', /x/);
    expect(r.info.completed).toBe(false);
    expect(r.info.error?.kind).toBe('alert');
    expect(r.info.alert?.description).toBe('protocol_version');
  });
});
