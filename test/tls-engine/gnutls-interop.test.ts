import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { haveBinary, removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { makePki, type TestPki } from './pki.js';
// @ts-expect-error: a plain ES module shared with a child Node in legacy-interop.test.ts (no type declarations)
import { probeWithDefaults } from './default-probe.mjs';

/**
 * GnuTLS (Debian's gnutls-serv) still speaks what Debian's OpenSSL 3.0 no
 * longer has: RC4 and, here, 3DES. Each server is scanned with the DEFAULT
 * settings through the kernel's probe path and answers a GET (--http).
 * gnutls-serv listens on every address, so each cell has its own port in
 * 24100-24199 and is dialled on 127.0.0.1.
 */
interface Cell {
  name: string;
  priority: string;
  version: string;
  suite: string;
  kx: Record<string, unknown>;
}

const base = '+COMP-NULL:+SIGN-ALL:+GROUP-ALL';
const cells: Cell[] = [
  { name: 'RC4-128 SHA-1, RSA key exchange, TLS 1.2', priority: `NONE:+VERS-TLS1.2:+ARCFOUR-128:+SHA1:+RSA:${base}`, version: 'TLSv1.2', suite: 'TLS_RSA_WITH_RC4_128_SHA', kx: { kind: 'RSA' } },
  { name: 'RC4-128 MD5, RSA key exchange, TLS 1.0', priority: `NONE:+VERS-TLS1.0:+ARCFOUR-128:+MD5:+RSA:${base}`, version: 'TLSv1.0', suite: 'TLS_RSA_WITH_RC4_128_MD5', kx: { kind: 'RSA' } },
  { name: 'RC4-128 SHA-1, ECDHE-RSA key exchange, TLS 1.2', priority: `NONE:+VERS-TLS1.2:+ARCFOUR-128:+SHA1:+ECDHE-RSA:${base}`, version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: 'RC4-128 SHA-1, ECDHE-RSA key exchange, TLS 1.1', priority: `NONE:+VERS-TLS1.1:+ARCFOUR-128:+SHA1:+ECDHE-RSA:${base}`, version: 'TLSv1.1', suite: 'TLS_ECDHE_RSA_WITH_RC4_128_SHA', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: '3DES-EDE-CBC, RSA key exchange, TLS 1.1 (explicit IV)', priority: `NONE:+VERS-TLS1.1:+3DES-CBC:+SHA1:+RSA:${base}`, version: 'TLSv1.1', suite: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', kx: { kind: 'RSA' } },
  { name: '3DES-EDE-CBC, ECDHE-RSA key exchange, TLS 1.2', priority: `NONE:+VERS-TLS1.2:+3DES-CBC:+SHA1:+ECDHE-RSA:${base}`, version: 'TLSv1.2', suite: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  { name: '3DES-EDE-CBC, ECDHE-RSA key exchange, TLS 1.0 (IV chaining)', priority: `NONE:+VERS-TLS1.0:+3DES-CBC:+SHA1:+ECDHE-RSA:${base}`, version: 'TLSv1.0', suite: 'TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA', kx: { kind: 'ECDHE', group: 'secp256r1' } },
  // GnuTLS follows the client's group order (secp256r1 first, as in 2015): the P-256 share spares a HelloRetryRequest.
  { name: 'GnuTLS defaults (NORMAL): TLS 1.3 on the P-256 share, no HelloRetryRequest', priority: 'NORMAL', version: 'TLSv1.3', suite: 'TLS_AES_256_GCM_SHA384', kx: { kind: 'TLS13', group: 'secp256r1' } },
];
const port = (i: number) => 24100 + i;
const GNUTLS_SERV = '/usr/bin/gnutls-serv';

describe('interop with default settings: gnutls-serv (RC4, 3DES)', () => {
  let pki: TestPki;
  const daemons: Daemon[] = [];
  beforeAll(async () => {
    // A missing binary fails the suite (Debian package gnutls-bin, scripts/install-test-deps.sh).
    expect(haveBinary(GNUTLS_SERV), `${GNUTLS_SERV} (Debian package gnutls-bin)`).toBe(true);
    pki = makePki(tempDir('tls-gnutls'));
    cells.forEach((c, i) => {
      daemons.push(startForeground(GNUTLS_SERV, ['--http', '-q', '-a', '--port', String(port(i)), '--x509certfile', 'rsa-chain.crt', '--x509keyfile', 'rsa.key', '--priority', c.priority], { cwd: pki.dir }));
    });
    await Promise.all(cells.map((_, i) => waitForPort('127.0.0.1', port(i))));
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    if (pki) removeDir(pki.dir);
  });

  cells.forEach((c, i) => {
    it(c.name, async () => {
      const r = (await probeWithDefaults('127.0.0.1', port(i))) as ProbeRecord & { page?: string };
      expect(r.status, `${JSON.stringify(r.error)} ${JSON.stringify(r.tls?.error)}\n${daemons[i]!.output()}`).toBe('success');
      expect(r.tls).toMatchObject({ completed: true, version: c.version, cipherSuite: { name: c.suite }, keyExchange: c.kx, profile: 'study', fallbackStep: 0 });
      expect(r.tls!.chain).toEqual([pki.rsaLeafDer, pki.caDer]);
      expect(r.tls!.helloRetry).toBeUndefined();
      // The application-data round trip: gnutls-serv --http answers the GET with a page about the session.
      expect(r.banner).toMatch(/^HTTP\/1\.[01] 200 OK/i);
      expect(r.page).toMatch(/<\/HTML>/i);
    });
  });
});
