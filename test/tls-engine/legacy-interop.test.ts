import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { haveBinary, removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { makePki, type TestPki } from './pki.js';
// @ts-expect-error: a plain ES module shared with the child Node below (no type declarations)
import { probeWithDefaults } from './default-probe.mjs';

/**
 * Servers configured the way the 2015 study found them (a DSA certificate for
 * DHE-DSS), each scanned with the DEFAULT settings (`wildtls scan` with an
 * empty config: the study profile and the fallback ladder) through the
 * kernel's probe path, on 127.0.41.10-29.
 * Each must complete with version, suite, key exchange and chain as the server
 * chose them, and answer a GET over the decrypted stream.
 */
interface Cell {
  name: string;
  server: string[];
  version: string;
  suite: string;
  kx: Record<string, unknown>;
  cert?: 'dsa';
}

const cells: Cell[] = [
  { name: 'TLS 1.0 only, AES-CBC (RSA key exchange)', server: ['-tls1', '-cipher', 'AES256-SHA:AES128-SHA:@SECLEVEL=0'], version: 'TLSv1.0', suite: 'TLS_RSA_WITH_AES_256_CBC_SHA', kx: { kind: 'RSA' } },
  { name: 'TLS 1.1 only, ECDHE-RSA AES-CBC', server: ['-tls1_1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], version: 'TLSv1.1', suite: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: 'TLS 1.2 DHE only, 1024-bit group', server: ['-no_tls1_3', '-dhparam', 'dh1024.pem', '-cipher', 'DHE:@SECLEVEL=0'], version: 'TLSv1.2', suite: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', kx: { kind: 'DHE', bits: 1024 } },
  { name: 'TLS 1.2 RSA key exchange only', server: ['-no_tls1_3', '-cipher', 'kRSA:@SECLEVEL=0'], version: 'TLSv1.2', suite: 'TLS_RSA_WITH_AES_256_GCM_SHA384', kx: { kind: 'RSA' } },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-SHA384 only', server: ['-no_tls1_3', '-cipher', 'ECDHE-RSA-AES256-SHA384'], version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: 'TLS 1.2 Camellia-256 with RSA key exchange', server: ['-no_tls1_3', '-cipher', 'CAMELLIA256-SHA:@SECLEVEL=0'], version: 'TLSv1.2', suite: 'TLS_RSA_WITH_CAMELLIA_256_CBC_SHA', kx: { kind: 'RSA' } },
  { name: 'TLS 1.2 Camellia-128 with DHE-RSA 2048', server: ['-no_tls1_3', '-dhparam', 'dh2048.pem', '-cipher', 'DHE-RSA-CAMELLIA128-SHA:@SECLEVEL=0'], version: 'TLSv1.2', suite: 'TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA', kx: { kind: 'DHE', bits: 2048 } },
  { name: 'TLS 1.0 Camellia-128 with RSA key exchange (IV chaining)', server: ['-tls1', '-cipher', 'CAMELLIA128-SHA:@SECLEVEL=0'], version: 'TLSv1.0', suite: 'TLS_RSA_WITH_CAMELLIA_128_CBC_SHA', kx: { kind: 'RSA' } },
  { name: 'TLS 1.2 DHE-DSS (a DSA certificate), 1024-bit group', cert: 'dsa', server: ['-no_tls1_3', '-dhparam', 'dh1024.pem', '-cipher', 'DHE-DSS-AES256-SHA:DHE-DSS-AES128-GCM-SHA256:@SECLEVEL=0'], version: 'TLSv1.2', suite: 'TLS_DHE_DSS_WITH_AES_256_CBC_SHA', kx: { kind: 'DHE', bits: 1024 } },
  { name: 'TLS 1.3 with the default OpenSSL 3 server', server: [], version: 'TLSv1.3', suite: 'TLS_AES_256_GCM_SHA384', kx: { kind: 'TLS13', group: 'x25519' } },
];
const SEED_HOST = '127.0.41.29';
const host = (i: number) => `127.0.41.${10 + i}`;
const OPENSSL = '/usr/bin/openssl';
const probeScript = fileURLToPath(new URL('./default-probe.mjs', import.meta.url));

/** The same probe in a child `node --openssl-legacy-provider` (the only way to load the legacy provider). */
function probeInLegacyNode(ip: string, port: number): ProbeRecord {
  return JSON.parse(execFileSync(process.execPath, ['--openssl-legacy-provider', probeScript, ip, String(port)], { timeout: 30_000 }).toString()) as ProbeRecord;
}

describe('interop with default settings: openssl s_server configured like 2015', () => {
  let pki: TestPki;
  let dsaLeafDer = '';
  const daemons: Daemon[] = [];
  beforeAll(async () => {
    // A missing binary fails the suite.
    expect(haveBinary(OPENSSL), `${OPENSSL} (Debian package openssl)`).toBe(true);
    pki = makePki(tempDir('tls-legacy'));
    // A DSA leaf signed by the test CA, for DHE-DSS.
    const ossl = (...a: string[]) => execFileSync(OPENSSL, a, { cwd: pki.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    ossl('genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-out', 'dsa-params.pem');
    ossl('req', '-newkey', 'dsa:dsa-params.pem', '-nodes', '-keyout', 'dsa.key', '-out', 'dsa.csr', '-subj', '/CN=localhost');
    ossl('x509', '-req', '-in', 'dsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'dsa.crt', '-days', '30');
    dsaLeafDer = readFileSync(join(pki.dir, 'dsa.crt'), 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    const start = (ip: string, args: string[], cert = 'rsa') =>
      daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `${ip}:4433`, '-cert', `${cert}.crt`, '-key', `${cert}.key`, '-cert_chain', 'ca.crt', '-www', '-quiet', ...args], { cwd: pki.dir }));
    cells.forEach((c, i) => start(host(i), c.server, c.cert));
    start(SEED_HOST, ['-provider', 'legacy', '-provider', 'default', '-no_tls1_3', '-cipher', 'SEED-SHA:@SECLEVEL=0']);
    await Promise.all([...cells.map((_, i) => waitForPort(host(i), 4433)), waitForPort(SEED_HOST, 4433)]);
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    if (pki) removeDir(pki.dir);
  });

  cells.forEach((c, i) => {
    it(c.name, async () => {
      const r = (await probeWithDefaults(host(i), 4433)) as ProbeRecord & { page?: string };
      expect(r.status, `${JSON.stringify(r.error)} ${JSON.stringify(r.tls?.error)}\n${daemons[i]!.output()}`).toBe('success');
      expect(r.tls).toMatchObject({ completed: true, version: c.version, cipherSuite: { name: c.suite }, keyExchange: c.kx, profile: 'study', fallbackStep: 0 });
      expect(r.tls!.chain).toEqual([c.cert === 'dsa' ? dsaLeafDer : pki.rsaLeafDer, pki.caDer]);
      // The application-data round trip: s_server -www answers the GET with a page naming the suite.
      expect(r.banner).toMatch(/^HTTP\/1\.0 200 ok/i);
      expect(r.page).toMatch(/<\/HTML>/i);
    });
  });

  it('SEED: a child node with the legacy provider completes it through the same probe path', () => {
    const r = probeInLegacyNode(SEED_HOST, 4433) as ProbeRecord & { page?: string };
    expect(r.status, JSON.stringify(r.tls?.error)).toBe('success');
    expect(r.tls).toMatchObject({ completed: true, version: 'TLSv1.2', cipherSuite: { id: 0x96, name: 'TLS_RSA_WITH_SEED_CBC_SHA' }, keyExchange: { kind: 'RSA' } });
    expect(r.banner).toMatch(/^HTTP\/1\.0 200 ok/i);
    expect(r.page).toMatch(/<\/HTML>/i);
  });

  it('SEED without the legacy provider: not completed, everything the server chose recorded, the missing provider named', async () => {
    const r = await probeWithDefaults(SEED_HOST, 4433);
    expect(r.status).toBe('tls-failed');
    expect(r.tls).toMatchObject({ completed: false, version: 'TLSv1.2', cipherSuite: { id: 0x96, name: 'TLS_RSA_WITH_SEED_CBC_SHA' }, keyExchange: { kind: 'RSA' }, error: { kind: 'unsupported' } });
    expect(r.tls!.notCompletedReason).toMatch(/SEED-CBC needs OpenSSL's legacy provider/);
    expect(r.tls!.chain).toEqual([pki.rsaLeafDer, pki.caDer]);
    // A server that chose something is not stepped down from: one connection, the first profile's record.
    expect(r.tls!.fallbackStep).toBe(0);
  });
});
