import { execFileSync } from 'node:child_process';
import { getDiffieHellman } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveBinary, removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { makePki, type TestPki } from './pki.js';
import { handshakeAndTalk } from './peer.js';

/**
 * DHE with a generator as long as the prime, against Debian's `openssl s_server`
 * on 127.0.42.30-31: RFC 5114's 2048-bit group with a 224-bit subgroup (its
 * generator is 2048 bits), and the 2048-bit MODP prime with a generator of
 * p - 2, a group OpenSSL does not know by name. The engine takes such groups
 * past createDiffieHellman, whose primality test of an unknown prime cost
 * about 270 ms at 2048 bits (docs/tls-engine.md); the handshake must still
 * complete and carry application data.
 */
const OPENSSL = '/usr/bin/openssl';

function derLen(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const b: number[] = [];
  for (let v = n; v > 0; v >>= 8) b.unshift(v & 255);
  return Buffer.from([0x80 | b.length, ...b]);
}
const der = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
const derInt = (v: Buffer) => der(2, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);

describe('DHE with a long generator (openssl s_server)', () => {
  it('openssl is installed', () => expect(haveBinary(OPENSSL)).toBe(true));

  let pki: TestPki;
  const daemons: Daemon[] = [];
  beforeAll(async () => {
    pki = makePki(tempDir('dhe-long-g'));
    execFileSync(OPENSSL, ['genpkey', '-genparam', '-algorithm', 'DHX', '-pkeyopt', 'dh_rfc5114:2', '-out', 'rfc5114.pem'], { cwd: pki.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = getDiffieHellman('modp14').getPrime();
    const g = Buffer.from(p);
    g[g.length - 1] = g[g.length - 1]! - 2;
    const pkcs3 = der(0x30, Buffer.concat([derInt(p), derInt(g)]));
    writeFileSync(join(pki.dir, 'long-g.pem'), `-----BEGIN DH PARAMETERS-----\n${pkcs3.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END DH PARAMETERS-----\n`);
    ['rfc5114.pem', 'long-g.pem'].forEach((file, i) => {
      daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `127.0.42.${30 + i}:4433`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-www', '-quiet', '-tls1_2', '-dhparam', file, '-cipher', 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0'], { cwd: pki.dir }));
    });
    await Promise.all(daemons.map((_, i) => waitForPort(`127.0.42.${30 + i}`, 4433)));
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    if (pki) removeDir(pki.dir);
  });

  const profile = { extends: 'compat', cipherSuites: ['TLS_DHE_RSA_WITH_AES_128_GCM_SHA256'] };
  ['RFC 5114 2048-bit group, 224-bit subgroup', 'MODP 2048 prime with generator p - 2'].forEach((name, i) => {
    it(`${name}: completed, application data both ways`, async () => {
      const r = await handshakeAndTalk(`127.0.42.${30 + i}`, 4433, profile, 'GET / HTTP/1.0\r\n\r\n', /<\/HTML>/i);
      expect(r.info.error, daemons[i]!.output()).toBeUndefined();
      expect(r.info).toMatchObject({ completed: true, version: 'TLSv1.2', keyExchange: { kind: 'DHE', bits: 2048 } });
      expect(r.reply).toMatch(/^HTTP\/1\.0 200 ok\r\n/);
    });
  });
});
