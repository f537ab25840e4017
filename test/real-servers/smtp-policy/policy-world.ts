import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateChain, type TestChain } from '@wildtls/core/testing';
import { whenListening, type Daemon } from '../../harness/daemon.js';
import { runNginx } from '../nginx/start-nginx.js';
import type { Zone } from './dns-world.js';

/** This suite's loopback addresses (127.0.67.0/24). */
export const ADDR = { auth: '127.0.67.1', resolver: '127.0.67.2', mx: '127.0.67.10', policy: '127.0.67.20' };

/**
 * The world, declared: each mail domain, what it publishes, and the verdict
 * and broken causes RFC 7672 and RFC 8461 give for it. MX hosts all resolve
 * to one Postfix (one chain); policy hosts to one nginx (one certificate
 * naming every mta-sts.<domain>).
 */
export interface DomainCase {
  domain: string;
  mx: string;
  /** TLSA at _25._tcp.<mx>: 'ee' (3 1 1 of the leaf), 'ta' (2 0 1 of the intermediate), 'wrong' (3 1 1 of zeros). */
  tlsa?: 'ee' | 'ta' | 'wrong';
  /** The TLSA RRset's signature is corrupted after signing. */
  bogus?: boolean;
  /** What nginx serves at /.well-known/mta-sts.txt ('redirect': a 301; 'large': 70 000 bytes). */
  policy?: { mode: 'enforce' | 'testing'; mx: string } | 'redirect' | 'large';
  tlsRpt?: boolean;
  verdict: string;
  causes: string[];
}

export const CASES: DomainCase[] = [
  { domain: 'dane-ee.sec.test', mx: 'mx-ee.sec.test', tlsa: 'ee', verdict: 'dane', causes: [] },
  { domain: 'dane-ta.sec.test', mx: 'mx-ta.sec.test', tlsa: 'ta', verdict: 'dane', causes: [] },
  { domain: 'tlsa-wrong.sec.test', mx: 'mx-wrong.sec.test', tlsa: 'wrong', verdict: 'policy-broken', causes: ['tlsa-mismatch'] },
  { domain: 'unsigned.plain.test', mx: 'mx.plain.test', tlsa: 'wrong', verdict: 'opportunistic', causes: [] },
  { domain: 'bogus.sec.test', mx: 'mx-bogus.sec.test', tlsa: 'ee', bogus: true, verdict: 'policy-broken', causes: ['dnssec-bogus'] },
  { domain: 'sts-enforce.sec.test', mx: 'mx-sts.sec.test', policy: { mode: 'enforce', mx: '*.sec.test' }, tlsRpt: true, verdict: 'mta-sts-enforce', causes: [] },
  { domain: 'sts-outside.sec.test', mx: 'mx-sts.sec.test', policy: { mode: 'enforce', mx: 'elsewhere.sec.test' }, verdict: 'policy-broken', causes: ['mx-not-covered'] },
  { domain: 'sts-testing.sec.test', mx: 'mx-sts.sec.test', policy: { mode: 'testing', mx: 'elsewhere.sec.test' }, verdict: 'mta-sts-testing', causes: [] },
  { domain: 'sts-redirect.sec.test', mx: 'mx-sts.sec.test', policy: 'redirect', verdict: 'opportunistic', causes: ['policy-fetch-redirect'] },
  { domain: 'sts-large.sec.test', mx: 'mx-sts.sec.test', policy: 'large', verdict: 'opportunistic', causes: ['policy-fetch-too-large'] },
  { domain: 'no-policy.sec.test', mx: 'mx-none.sec.test', verdict: 'opportunistic', causes: [] },
];

export interface Pki {
  chain: TestChain;
  rootsFile: string;
  /** Postfix: key, leaf naming every MX host, intermediate. */
  mxBundle: string;
  mxLeafDer: Buffer;
  /** nginx: leaf naming every mta-sts host, then the intermediate; its key. */
  webChain: string;
  webKey: string;
}

const openssl = (args: string[], input?: string) => execFileSync('openssl', args, { input, encoding: 'buffer' });

/** A leaf from the test chain's intermediate naming `names` (openssl req -x509 -CA). */
function leaf(dir: string, id: string, names: string[], chain: TestChain): { key: string; cert: string } {
  const caKey = join(dir, 'inter.key');
  const caCert = join(dir, 'inter.pem');
  writeFileSync(caKey, chain.intermediate.keyPem);
  writeFileSync(caCert, chain.intermediate.certPem);
  const key = join(dir, `${id}.key`);
  const cert = join(dir, `${id}.pem`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30',
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`, '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth', '-CA', caCert, '-CAkey', caKey]);
  return { key, cert };
}

export async function makePki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const chain = await certificateChain({ leafName: 'unused.sec.test', keyType: 'ec' });
  const rootsFile = join(dir, 'roots.pem');
  writeFileSync(rootsFile, chain.root.certPem);
  const mx = leaf(dir, 'mx', [...new Set(CASES.map((c) => c.mx))], chain);
  const web = leaf(dir, 'web', CASES.filter((c) => c.policy).map((c) => `mta-sts.${c.domain}`), chain);
  const read = (f: string) => openssl(['x509', '-in', f]).toString();
  const mxBundle = join(dir, 'mx.bundle.pem');
  writeFileSync(mxBundle, openssl(['pkey', '-in', mx.key]).toString() + read(mx.cert) + chain.intermediate.certPem.trimEnd() + '\n');
  for (const f of [mxBundle, mx.key, web.key]) chmodSync(f, 0o644);
  const webChain = join(dir, 'web.chain.pem');
  writeFileSync(webChain, read(web.cert) + chain.intermediate.certPem.trimEnd() + '\n');
  return { chain, rootsFile, mxBundle, mxLeafDer: openssl(['x509', '-in', mx.cert, '-outform', 'DER']), webChain, webKey: web.key };
}

/** TLSA association data from the openssl command line (independent of the analysis). */
function tlsaData(kind: 'ee' | 'ta' | 'wrong', pki: Pki): string {
  if (kind === 'wrong') return '3 1 1 ' + '00'.repeat(32);
  const sha256 = (input: Buffer) => execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input }).toString('hex');
  if (kind === 'ta') return '2 0 1 ' + sha256(pki.chain.intermediate.der);
  const spki = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'DER'], { input: execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-pubkey'], { input: pki.mxLeafDer }) });
  return '3 1 1 ' + sha256(spki);
}

/** The zones: sec.test (signed) and plain.test (unsigned). */
export function zones(pki: Pki): Zone[] {
  const sec: string[] = [];
  const plain: string[] = [];
  const seenMx = new Set<string>();
  for (const c of CASES) {
    const out = c.domain.endsWith('.plain.test') ? plain : sec;
    out.push(`${c.domain}. MX 10 ${c.mx}.`);
    if (!seenMx.has(c.mx)) {
      seenMx.add(c.mx);
      (c.mx.endsWith('.plain.test') ? plain : sec).push(`${c.mx}. A ${ADDR.mx}`);
      if (c.tlsa) (c.mx.endsWith('.plain.test') ? plain : sec).push(`_25._tcp.${c.mx}. TLSA ${tlsaData(c.tlsa, pki)}`);
    }
    if (c.policy) {
      out.push(`_mta-sts.${c.domain}. TXT "v=STSv1; id=20261206T1"`);
      out.push(`mta-sts.${c.domain}. A ${ADDR.policy}`);
    }
    if (c.tlsRpt) out.push(`_smtp._tls.${c.domain}. TXT "v=TLSRPTv1; rua=mailto:tlsrpt@${c.domain}"`);
  }
  return [{ name: 'sec.test', signed: true, records: sec }, { name: 'plain.test', signed: false, records: plain }];
}

/** Flip one base64 character of the RRSIG over each bogus case's TLSA RRset. */
export function corruptSignatures(zone: string, text: string): string {
  const bogus = CASES.filter((c) => c.bogus && c.mx.endsWith(`.${zone}`)).map((c) => `_25._tcp.${c.mx}.`);
  return text.split('\n').map((line) => {
    const t = line.split(/\s+/);
    if (!bogus.includes(t[0]!) || t[2] !== 'RRSIG' || t[3] !== 'TLSA') return line;
    const sig = t[t.length - 1]!;
    const i = Math.floor(sig.length / 2);
    return line.slice(0, line.length - sig.length) + sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
  }).join('\n');
}

/** nginx with one server block per policy host on ADDR.policy:443. */
export async function startPolicyNginx(dir: string, pki: Pki): Promise<Daemon> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'www'), { recursive: true });
  const servers = CASES.filter((c) => c.policy).map((c) => {
    let body: string;
    if (c.policy === 'redirect') body = `return 301 https://elsewhere.sec.test/.well-known/mta-sts.txt;`;
    else {
      const file = join(dir, 'www', `${c.domain}.txt`);
      const text = c.policy === 'large' ? `version: STSv1\nmode: enforce\nmx: ${c.mx}\nmax_age: 86400\n` + `x-pad: ${'a'.repeat(99)}\n`.repeat(700) : `version: STSv1\nmode: ${c.policy!.mode}\nmx: ${c.policy!.mx}\nmax_age: 86400\n`;
      writeFileSync(file, text);
      body = `default_type text/plain; alias ${file};`;
    }
    return `  server {
    listen ${ADDR.policy}:443 ssl;
    server_name mta-sts.${c.domain};
    ssl_certificate ${pki.webChain};
    ssl_certificate_key ${pki.webKey};
    location = /.well-known/mta-sts.txt { ${body} }
  }`;
  }).join('\n');
  const d = runNginx(dir, servers);
  return whenListening('nginx', d, dir, [[ADDR.policy, 443]]);
}
