/**
 * The repository's test chains, for the OpenSSL agreement test: every chain
 * the ca-practice tests build (test/pki.ts), the core testing helpers'
 * chains, the synthetic data set's PKI, the TLS engine tests' openssl-made
 * PKI, the chains in the captured server flights (fixtures), and 2015-era
 * chains made with the openssl command line (era-pki.ts).
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certificateChain, selfSignedCertificate } from '@wildtls/core/testing';
import { sampleChains } from '../../../test/synthetic/certificates.mjs';
import { makePki } from '../../../test/tls-engine/pki.js';
import { eraChains } from './era-pki.js';
import { NOW, corruptSignature, issue, resign, type Issued } from './pki.js';

export interface CorpusChain {
  id: string;
  /** DER, wire order, leaf first. */
  chain: Buffer[];
  anchors: Buffer[];
  /** Validation instant, epoch ms. */
  at: number;
}

const DAY = 86_400_000;
const b64 = (s: string) => Buffer.from(s, 'base64');
const derOfPem = (pem: string) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64');

/** The chains of test/chain-service.test.ts and test/analyzer.test.ts, rebuilt with the same helper. */
async function pkiChains(): Promise<CorpusChain[]> {
  const root = await issue({ name: 'Test Root', ca: true });
  const inter = await issue({ name: 'Test Intermediate', ca: true, issuer: root });
  const leaf = await issue({ name: 'mail.example.org', dns: ['mail.example.org'], issuer: inter });
  const ss = await issue({ name: 'self.example.org', dns: ['self.example.org'] });
  const client = await issue({ name: 'c.example.org', dns: ['c.example.org'], issuer: inter, eku: ['1.3.6.1.5.5.7.3.2'] });
  const notCa = await issue({ name: 'Not A CA', issuer: root, noBasicConstraints: true, ca: false, dns: ['x.example.org'] });
  const below = await issue({ name: 'y.example.org', dns: ['y.example.org'], issuer: notCa });
  const pl0 = await issue({ name: 'PathLen Zero', ca: true, pathLen: 0, issuer: root });
  const sub = await issue({ name: 'Sub CA', ca: true, issuer: pl0 });
  const deep = await issue({ name: 'z.example.org', dns: ['z.example.org'], issuer: sub });
  const direct = await issue({ name: 'd.example.org', dns: ['d.example.org'], issuer: root });
  const i2 = await issue({ name: 'Second Intermediate', ca: true, issuer: inter });
  const ooo = await issue({ name: 'o.example.org', dns: ['o.example.org'], issuer: i2 });
  const stray = await issue({ name: 'Stray CA', ca: true });
  const weak = await issue({ name: 'w.example.org', dns: ['w.example.org'], issuer: inter, rsaBits: 1024 });
  const rsaCa = await issue({ name: 'RSA Intermediate', ca: true, issuer: root, rsaBits: 2048 });
  const rsaLeaf = await issue({ name: 'h.example.org', dns: ['h.example.org'], issuer: rsaCa });
  const longLived = await issue({ name: 'l.example.org', dns: ['l.example.org'], issuer: inter, notAfter: new Date(NOW + 3 * 365 * DAY) });
  const cn = await issue({ name: 'cn.example.org', dns: ['san.example.org'], issuer: inter });
  // Hostile shapes: a chain longer than OpenSSL's depth limit, and a hundred look-alike issuers (same name, other keys) before the real one.
  const long: Issued[] = [root];
  for (let i = 0; i < 105; i++) long.unshift(await issue({ name: `Long CA ${i}`, ca: true, issuer: long[0] }));
  const longLeaf = await issue({ name: 'long.example.org', dns: ['long.example.org'], issuer: long[0] });
  const alikes: Issued[] = [];
  for (let i = 0; i < 100; i++) alikes.push(await issue({ name: 'Test Intermediate', ca: true }));
  const r = (c: Issued) => c.der;
  const c = (id: string, chain: Issued[], at = NOW): CorpusChain => ({ id: `pki::${id}`, chain: chain.map(r), anchors: [root.der], at });
  return [
    c('valid', [leaf, inter]),
    c('self-signed', [ss]),
    c('expired', [leaf, inter], NOW + 200 * DAY),
    c('not-yet-valid', [leaf, inter], NOW - 60 * DAY),
    c('leaf-only-expired', [leaf], NOW + 200 * DAY),
    c('leaf-only', [leaf]),
    c('bad-signature', [corruptSignature(leaf), inter]),
    c('client-eku', [client, inter]),
    c('not-a-ca', [below, notCa]),
    c('path-length', [deep, sub, pl0]),
    c('direct-by-root', [direct]),
    c('out-of-order', [ooo, inter, i2]),
    c('root-sent', [leaf, inter, root]),
    c('duplicate', [leaf, inter, inter]),
    c('stray-root-sent', [leaf, inter, stray]),
    c('rsa-1024-leaf', [weak, inter]),
    c('rsa-2048', [rsaLeaf, rsaCa]),
    c('sha1-leaf', [await resign(rsaLeaf, rsaCa, 'sha1'), rsaCa]),
    c('md5-leaf', [await resign(rsaLeaf, rsaCa, 'md5'), rsaCa]),
    c('long-validity', [longLived, inter]),
    c('cn-not-in-san', [cn, inter]),
    c('chain-of-106', [longLeaf, ...long.slice(0, -1)]),
    c('look-alike-issuers', [leaf, ...alikes, inter]),
  ];
}

/** @wildtls/core/testing: the chains the real-server tests and the demo serve. */
async function coreChains(): Promise<CorpusChain[]> {
  const out: CorpusChain[] = [];
  const now = Date.now();
  for (const keyType of ['rsa', 'ec'] as const) {
    const ch = await certificateChain({ keyType, leafName: 'mail.wildtls.test' });
    const expired = await certificateChain({ keyType, leafNotAfter: new Date(now - DAY) });
    const ss = await selfSignedCertificate({ keyType });
    out.push(
      { id: `core::chain-${keyType}`, chain: [ch.leaf.der, ch.intermediate.der], anchors: [ch.root.der], at: now },
      { id: `core::chain-${keyType}-root-sent`, chain: [ch.leaf.der, ch.intermediate.der, ch.root.der], anchors: [ch.root.der], at: now },
      { id: `core::chain-${keyType}-expired-leaf`, chain: [expired.leaf.der, expired.intermediate.der], anchors: [expired.root.der], at: now },
      { id: `core::self-signed-${keyType}`, chain: [ss.der], anchors: [ch.root.der], at: now },
    );
  }
  return out;
}

/** The synthetic populations' PKI (test/synthetic/certificates.mjs): every class of chain they send, RSA and ECDSA leaves. */
async function syntheticChains(): Promise<CorpusChain[]> {
  const set = await sampleChains({ perClass: 3 });
  const anchors = [derOfPem(set.rootPem)];
  return set.chains.map((c, i) => ({ id: `synthetic::${c.cls}-${c.keyType}-${i}`, chain: c.chain.map(b64), anchors, at: set.at.getTime() }));
}

/** test/tls-engine/pki.ts: a CA, an RSA and an ECDSA leaf made by `openssl req` / `openssl x509 -req`. */
function engineChains(): CorpusChain[] {
  const pki = makePki(mkdtempSync(join(tmpdir(), 'wildtls-agree-')));
  const now = Date.now();
  return [
    { id: 'tls-engine::rsa-leaf', chain: [b64(pki.rsaLeafDer), b64(pki.caDer)], anchors: [b64(pki.caDer)], at: now },
    { id: 'tls-engine::ec-leaf', chain: [b64(pki.ecLeafDer)], anchors: [b64(pki.caDer)], at: now },
  ];
}

/** The chains in packages/core/test/tls/fixtures (captured s_server and node flights), against their own self-signed CA. */
function fixtureChains(): CorpusChain[] {
  const dir = new URL('../../../packages/core/test/tls/fixtures/', import.meta.url);
  const out: CorpusChain[] = [];
  const seen = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const j = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as { name: string; expectedChain?: string[] };
    if (!j.expectedChain?.length || seen.has(j.expectedChain.join())) continue;
    seen.add(j.expectedChain.join());
    const certs = j.expectedChain.map(b64);
    const parsed = certs.map((d) => new X509Certificate(d));
    const anchors = certs.filter((_, i) => parsed[i]!.issuer === parsed[i]!.subject);
    // Inside every certificate's validity period: a day after the latest notBefore.
    const at = Math.max(...parsed.map((p) => Date.parse(p.validFrom))) + DAY;
    out.push({ id: `fixture::${j.name}`, chain: certs, anchors: anchors.length ? anchors : [certs[certs.length - 1]!], at });
  }
  return out;
}

export async function repoChains(): Promise<CorpusChain[]> {
  return [...(await pkiChains()), ...(await coreChains()), ...(await syntheticChains()), ...engineChains(), ...fixtureChains(), ...eraChains()];
}
