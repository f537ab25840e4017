import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Stapled OCSP responses made by `openssl ocsp` for one CA and two leaves (base64 DER). */
export interface OcspFixtures {
  leaf: string;
  other: string;
  good: string;
  revoked: string;
  unknown: string;
  /** good for `other`, stapled to `leaf` by mistake */
  forOther: string;
  /** good, nextUpdate one minute after it was made */
  shortLived: string;
  /** OCSPResponse with responseStatus tryLater and no body */
  tryLater: string;
}

export function makeOcspFixtures(): OcspFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-ocsp-'));
  try {
    const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=ocsp test CA', '-days', '30');
    for (const n of ['leaf', 'other']) {
      ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${n}.example`);
      ossl('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.crt`, '-days', '30');
    }
    const serial = (n: string) => ossl('x509', '-in', `${n}.crt`, '-noout', '-serial').trim().split('=')[1]!;
    const line = (state: 'V' | 'R', n: string) => `${state}\t301231000000Z\t${state === 'R' ? '250101000000Z,keyCompromise' : ''}\t${serial(n)}\tunknown\t/CN=${n}.example\n`;
    const respond = (index: string, cert: string, extra: string[] = []) => {
      writeFileSync(join(dir, 'index.txt'), index);
      ossl('ocsp', '-index', 'index.txt', '-rsigner', 'ca.crt', '-rkey', 'ca.key', '-CA', 'ca.crt', '-issuer', 'ca.crt', '-cert', `${cert}.crt`, '-respout', 'r.der', ...extra);
      return readFileSync(join(dir, 'r.der')).toString('base64');
    };
    const der = (n: string) => readFileSync(join(dir, `${n}.crt`), 'utf8').replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    return {
      leaf: der('leaf'),
      other: der('other'),
      good: respond(line('V', 'leaf'), 'leaf', ['-ndays', '7']),
      revoked: respond(line('R', 'leaf'), 'leaf', ['-ndays', '7']),
      unknown: respond('', 'leaf', ['-ndays', '7']),
      forOther: respond(line('V', 'other'), 'other', ['-ndays', '7']),
      shortLived: respond(line('V', 'leaf'), 'leaf', ['-nmin', '1']),
      tryLater: Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]).toString('base64'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
