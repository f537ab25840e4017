/**
 * Certificate validation throughput: distinct chains validated per second by
 * the ca-practice ChainService (one thread), and the cost of a cached hit.
 *
 *   npx tsc -b packages/core plugins/analysis-ca-practice && npx tsc -p plugins/analysis-ca-practice/bench
 *   node plugins/analysis-ca-practice/bench/dist/validate.js [--chains 5000] [--key ec|rsa] [--workers 0,1,2] [--profiles openssl,strict,webpki]
 *     [--baseline <another build's plugins/analysis-ca-practice/dist/index.js>]
 *
 * Builds one root, 10 intermediates and --chains distinct leaves (bounded to
 * 50,000) with @peculiar/x509, then validates every chain [leaf, intermediate]
 * once (cache misses: base64 decode, parse, signature checks, all path rules,
 * practice flags), then all of them again (cache hits: chain hash only);
 * then, for each --workers count above 0, all chains through a fresh
 * WorkerPool (main thread hashes and posts, workers validate). The in-thread
 * figures are measured for each validity profile in --profiles, one after the
 * other in the same process (one JSON line each); the worker figures for the
 * first profile. Every profile is warmed up on 1,000 chains first.
 * --baseline measures another build's ChainService in the same run, the same
 * way (its default profile), to compare versions (a line with profile
 * "baseline").
 */
import 'reflect-metadata';
import { createPrivateKey, sign, webcrypto, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as x509 from '@peculiar/x509';
import { ChainService, PROFILES, WorkerPool, loadTrustStore, type Profile } from '@wildtls/analysis-ca-practice';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const { values } = parseArgs({ options: { chains: { type: 'string', default: '5000' }, key: { type: 'string', default: 'rsa' }, workers: { type: 'string', default: '0,1,2' }, profiles: { type: 'string', default: 'openssl' }, baseline: { type: 'string' } } });
const profiles = values.profiles!.split(',') as Profile[];
for (const p of profiles) if (!PROFILES.includes(p)) throw new Error(`unknown profile ${p}`);
const N = Math.min(50_000, Math.max(1, Number(values.chains)));
const rsa = values.key !== 'ec';
const ALG = rsa
  ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
  : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const NOW = Date.now();

async function cert(subject: string, issuer: string, key: CryptoKeyPair, signer: CryptoKeyPair, ca: boolean, serial: number): Promise<string> {
  const exts: x509.Extension[] = [
    await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey),
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(ca ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(key.publicKey),
  ];
  if (!ca) exts.push(new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: subject.slice(3) }]), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  const c = await x509.X509CertificateGenerator.create({
    serialNumber: serial > 0xffffff ? serial.toString(16) : (0x100000 + serial).toString(16), subject, issuer, notBefore: new Date(NOW - 86_400_000), notAfter: new Date(NOW + 90 * 86_400_000),
    signingKey: signer.privateKey, publicKey: key.publicKey, signingAlgorithm: ALG, extensions: exts,
  });
  return Buffer.from(c.rawData).toString('base64');
}

/** Copy of `template` with serial bytes `marker` replaced by `n`, re-signed (ECDSA: until the signature keeps its length). */
function distinctLeaf(template: Buffer, key: KeyObject, marker: Buffer, n: number): string {
  const der = Buffer.from(template);
  const at = der.indexOf(marker);
  der.writeUInt32BE(0x10000000 + n, at);
  const outerHdr = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const tbsHdr = der[outerHdr + 1]! & 0x80 ? 2 + (der[outerHdr + 1]! & 0x7f) : 2;
  let tbsLen = 0;
  if (tbsHdr === 2) tbsLen = der[outerHdr + 1]!;
  else for (let i = 0; i < tbsHdr - 2; i++) tbsLen = tbsLen * 256 + der[outerHdr + 2 + i]!;
  const tbs = der.subarray(outerHdr, outerHdr + tbsHdr + tbsLen);
  // An ECDSA signature of another length would shift the DER: re-sign until it has the template's (a short template needs many tries).
  for (let tries = 0; tries < 4096; tries++) {
    const sig = sign('sha256', tbs, key);
    const old = oldSignatureLength(der);
    if (sig.length === old) {
      sig.copy(der, der.length - sig.length);
      return der.toString('base64');
    }
  }
  throw new Error('could not re-sign');
}

/** Length of the signature value at the end of a certificate (BIT STRING content minus its first byte). */
function oldSignatureLength(der: Buffer): number {
  // Walk the outer SEQUENCE: tbs, algorithm, then the BIT STRING.
  let p = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  for (let field = 0; field < 3; field++) {
    const lenByte = der[p + 1]!;
    let len = lenByte;
    let hdr = 2;
    if (lenByte & 0x80) {
      hdr = 2 + (lenByte & 0x7f);
      len = 0;
      for (let i = 0; i < (lenByte & 0x7f); i++) len = len * 256 + der[p + 2 + i]!;
    }
    if (field === 2) return len - 1;
    p += hdr + len;
  }
  return 0;
}

async function main(): Promise<void> {
  const gen = (await webcrypto.subtle.generateKey(ALG as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  const rootKey = gen;
  const rootB64 = await cert('CN=Bench Root', 'CN=Bench Root', rootKey, rootKey, true, 0);
  const dir = mkdtempSync(join(tmpdir(), 'ca-bench-'));
  writeFileSync(join(dir, 'roots.pem'), `-----BEGIN CERTIFICATE-----\n${rootB64}\n-----END CERTIFICATE-----\n`);
  const inters: Array<{ b64: string; key: CryptoKeyPair; name: string }> = [];
  for (let i = 0; i < 10; i++) {
    const key = (await webcrypto.subtle.generateKey(ALG as never, true, ['sign', 'verify'])) as CryptoKeyPair;
    inters.push({ b64: await cert(`CN=Bench CA ${i}`, 'CN=Bench Root', key, rootKey, true, i + 1), key, name: `CN=Bench CA ${i}` });
  }
  // One subscriber key for all leaves keeps generation fast; every leaf is still a distinct certificate.
  const leafKey = (await webcrypto.subtle.generateKey(ALG as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  const t0 = performance.now();
  const chains: string[][] = [];
  // One template leaf per CA; each distinct leaf patches the serial and is re-signed with node:crypto (fast).
  const templates: Array<{ der: Buffer; key: KeyObject }> = [];
  for (const ca of inters) {
    const der = Buffer.from(await cert('CN=host.bench.test', ca.name, leafKey, ca.key, false, 0x7abbccdd), 'base64');
    const key = createPrivateKey({ key: Buffer.from(await webcrypto.subtle.exportKey('pkcs8', ca.key.privateKey)), format: 'der', type: 'pkcs8' });
    templates.push({ der, key });
  }
  const marker = Buffer.from('7abbccdd', 'hex');
  for (let i = 0; i < N; i++) {
    const ti = i % inters.length;
    const t = templates[ti]!;
    chains.push([distinctLeaf(t.der, t.key, marker, i), inters[ti]!.b64]);
  }
  const genMs = performance.now() - t0;

  const rootsFile = join(dir, 'roots.pem');
  const common = { key: rsa ? 'rsa-2048' : 'ec-p256', chains: N, generateMs: Math.round(genMs) };
  type Source = { verdict(chain: string[], at: number): { errors: string[] } };
  type Module = { ChainService: new (s: object) => Source; loadTrustStore(f: string): object };
  const other = values.baseline ? ((await import(values.baseline)) as Module) : undefined;
  const make = (profile: Profile | 'baseline'): Source => {
    const settings = { profile, strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 398, useScanIntermediates: true };
    return profile === 'baseline' ? new other!.ChainService({ ...settings, profile: undefined, store: other!.loadTrustStore(rootsFile) }) : new ChainService({ ...settings, profile, store: loadTrustStore(rootsFile) });
  };
  const runs: Array<Profile | 'baseline'> = other ? [...profiles, 'baseline'] : profiles;
  // Warm every profile's code up (JIT) on a throwaway service first, so the order of --profiles does not matter.
  for (const profile of runs) {
    const warm = make(profile);
    for (const c of chains.slice(0, 1000)) warm.verdict(c, NOW);
  }
  for (const [i, profile] of runs.entries()) {
    const svc = make(profile);
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    let valid = 0;
    for (const c of chains) if (svc.verdict(c, NOW).errors.length === 0) valid++;
    const missMs = performance.now() - t1;
    const missCpu = process.cpuUsage(c1);
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    for (let r = 0; r < 5; r++) for (const c of chains) svc.verdict(c, NOW);
    const hitMs = (performance.now() - t2) / 5;
    const hitCpu = process.cpuUsage(c2);
    if (valid !== N) throw new Error(`expected ${N} valid chains, got ${valid}: ${svc.verdict(chains[0]!, NOW).errors.join(',')}`);
    const pools: Record<string, number> = {};
    for (const w of i === 0 && profile !== 'baseline' ? values.workers!.split(',').map(Number).filter((w) => w > 0) : []) {
      const pool = new WorkerPool({ profile: profile as Profile, rootsFile, strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 398, useScanIntermediates: true }, w);
      await pool.stats(); // workers started and stores loaded before timing
      const t = performance.now();
      const all = await Promise.all(chains.map((c) => pool.verdict(c, NOW)));
      await pool.settle();
      const ms = performance.now() - t;
      if (all.some((e) => e.errors.length)) throw new Error('worker verdicts differ');
      pools[`distinctChainsPerSecondOn${w}Worker${w > 1 ? 's' : ''}`] = Math.round(N / (ms / 1000));
      await pool.close();
    }
    console.log(JSON.stringify({
      profile, ...common, ...pools,
      distinctChainsPerSecond: Math.round(N / (missMs / 1000)), usPerDistinctChain: +((missMs * 1000) / N).toFixed(1),
      cpuUsPerDistinctChain: +((missCpu.user + missCpu.system) / N).toFixed(1),
      usPerCachedRecord: +((hitMs * 1000) / N).toFixed(2), cpuUsPerCachedRecord: +((hitCpu.user + hitCpu.system) / 5 / N).toFixed(2), rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    }));
  }
}

await main();
