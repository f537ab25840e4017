import { execFileSync } from 'node:child_process';
import { getDiffieHellman } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test PKI for the real-peer tests: a CA, an RSA and an ECDSA leaf, an OCSP response, DH groups. */
export interface TestPki {
  dir: string;
  caDer: string;
  rsaLeafDer: string;
  ecLeafDer: string;
  ocspDer: string;
}

function pemDer(file: string): string {
  const pem = readFileSync(file, 'utf8');
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
}

function derLen(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const b: number[] = [];
  for (let v = n; v > 0; v >>= 8) b.unshift(v & 255);
  return Buffer.from([0x80 | b.length, ...b]);
}
const der = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
const derInt = (v: Buffer) => der(2, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);

/** A PEM DHParameter file for a well-known MODP group (modp2 = 1024 bits, modp14 = 2048), without running dhparam. */
function writeDhParams(file: string, group: 'modp2' | 'modp14'): void {
  const dh = getDiffieHellman(group);
  const body = der(0x30, Buffer.concat([derInt(dh.getPrime()), derInt(dh.getGenerator())]));
  writeFileSync(file, `-----BEGIN DH PARAMETERS-----\n${body.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END DH PARAMETERS-----\n`);
}

export function makePki(dir: string): TestPki {
  const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=wildtls test CA', '-days', '30');
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.csr', '-subj', '/CN=localhost');
  ossl('x509', '-req', '-in', 'rsa.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'rsa.crt', '-days', '30');
  ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.csr', '-subj', '/CN=localhost');
  ossl('x509', '-req', '-in', 'ec.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'ec.crt', '-days', '30');
  writeFileSync(join(dir, 'index.txt'), '');
  ossl('ocsp', '-index', 'index.txt', '-rsigner', 'ca.crt', '-rkey', 'ca.key', '-CA', 'ca.crt', '-issuer', 'ca.crt', '-cert', 'rsa.crt', '-respout', 'ocsp.der', '-ndays', '30');
  writeDhParams(join(dir, 'dh1024.pem'), 'modp2');
  writeDhParams(join(dir, 'dh2048.pem'), 'modp14');
  // Chain files as a server sends them: leaf then CA.
  writeFileSync(join(dir, 'rsa-chain.crt'), readFileSync(join(dir, 'rsa.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'));
  writeFileSync(join(dir, 'ec-chain.crt'), readFileSync(join(dir, 'ec.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'));
  return {
    dir,
    caDer: pemDer(join(dir, 'ca.crt')),
    rsaLeafDer: pemDer(join(dir, 'rsa.crt')),
    ecLeafDer: pemDer(join(dir, 'ec.crt')),
    ocspDer: readFileSync(join(dir, 'ocsp.der')).toString('base64'),
  };
}
