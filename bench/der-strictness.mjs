#!/usr/bin/env node
// Which real certificates does core's strict DER reader refuse, and why?
// (issue 14, item 7: one DER reader for every analysis; leniency only as far
// as real certificates need it.)
//
//   npx tsc -b packages/core plugins/analysis-ca-practice && node bench/der-strictness.mjs [--reuse-reader <der.js>]
//
// For every certificate of each source, three readings:
//   tlv      core's der.readTlv over every TLV of the certificate (constructed
//            ones descended into);
//   parse    ca-practice's parseCertificate (every field the validator reads,
//            through core's der), which is what decides a chain's class;
//   reuse    with --reuse-reader: the certificateParts() of a module such as
//            reuse's former lenient reader (plugins/analysis-reuse/src/der.ts
//            before it was removed, built).
// Sources: Debian's ca-certificates (/usr/share/ca-certificates), Node's
// tls.rootCertificates, every certificate of the x509-limbo suite, and the
// repo's test chains (core's testing helpers, the synthetic PKI, the TLS
// capture fixtures, and openssl-made certificates as the real-server tests
// make them). Nothing is sent anywhere; openssl runs in a temporary directory.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({ options: { 'reuse-reader': { type: 'string' }, limbo: { type: 'string', default: '/work/shared/testdata/x509-limbo/limbo.json' } } });
const { der } = await import('@wildtls/core');
const { certificateChain, selfSignedCertificate } = await import('@wildtls/core/testing');
const caPractice = await import('../plugins/analysis-ca-practice/dist/cert/parse-certificate.js');
const reuseReader = values['reuse-reader'] ? await import(pathToFileURL(values['reuse-reader']).href) : undefined;

const PEM = /-----BEGIN (?:TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED )?CERTIFICATE-----/g;
const pemDers = (text) => [...text.matchAll(PEM)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.crt') || p.endsWith('.pem')) out.push(p);
  }
  return out;
}

async function sources() {
  const s = {};
  s['Debian ca-certificates (/usr/share/ca-certificates)'] = walk('/usr/share/ca-certificates').flatMap((f) => pemDers(readFileSync(f, 'utf8')));
  s["Node tls.rootCertificates"] = rootCertificates.flatMap(pemDers);
  const limbo = JSON.parse(readFileSync(values.limbo, 'utf8')).testcases;
  s['x509-limbo (every certificate of every case)'] = limbo.flatMap((tc) => [...tc.trusted_certs, ...tc.untrusted_intermediates, tc.peer_certificate].flatMap(pemDers));

  const repo = [];
  for (const keyType of ['rsa', 'ec']) {
    const c = await certificateChain({ keyType });
    repo.push(c.root.der, c.intermediate.der, c.leaf.der, (await selfSignedCertificate({ keyType })).der);
  }
  const { sampleChains } = await import('../test/synthetic/certificates.mjs');
  const set = await sampleChains({ perClass: 50 });
  repo.push(...set.authorities.map((b) => Buffer.from(b, 'base64')), ...set.chains.map((c) => Buffer.from(c.chain[0], 'base64')));
  const fixtures = new URL('../packages/core/test/tls/fixtures/', import.meta.url);
  for (const f of readdirSync(fixtures)) {
    const j = JSON.parse(readFileSync(new URL(f, fixtures), 'utf8'));
    for (const b of j.expectedChain ?? j.info?.chain ?? []) repo.push(Buffer.from(b, 'base64'));
  }
  // As test/tls-engine/pki.ts makes them for the real-server tests.
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-der-'));
  try {
    const ossl = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=wildtls test CA', '-days', '30');
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ec.key', '-out', 'ec.csr', '-subj', '/CN=localhost');
    ossl('x509', '-req', '-in', 'ec.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'ec.crt', '-days', '30');
    for (const f of ['ca.crt', 'ec.crt']) repo.push(...pemDers(readFileSync(join(dir, f), 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  s['repo test chains (core testing, synthetic PKI, TLS fixtures, openssl-made)'] = repo;
  // Control: the first repo certificate with its outer length re-encoded one byte longer
  // (BER allows it, DER does not): the strict columns must refuse it, a lenient reader not.
  const c = repo[0];
  const n = c[1] & 0x7f;
  s['control: one certificate with a non-minimal outer length'] = [Buffer.concat([Buffer.from([0x30, 0x80 | (n + 1), 0]), c.subarray(2)])];
  return s;
}

/** Every TLV of a certificate with core's reader; returns the refusal, or undefined. */
function tlvWalk(buf) {
  try {
    const top = der.readTlv(buf, 0, buf.length);
    if (top.end !== buf.length) return 'trailing data after the certificate';
    const stack = [top];
    while (stack.length) {
      const t = stack.pop();
      if (!(t.tag & 0x20)) continue;
      for (let p = t.body; p < t.end; ) {
        const c = der.readTlv(buf, p, t.end);
        stack.push(c);
        p = c.end;
      }
    }
    return undefined;
  } catch (err) {
    if (err instanceof der.DerError) return err.message;
    throw err;
  }
}

function refusal(fn) {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err.message ?? String(err);
  }
}

const tally = (map, k) => map.set(k, (map.get(k) ?? 0) + 1);
const causes = (m) => (m.size ? [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join('; ') : '-');

console.log(`reuse reader: ${values['reuse-reader'] ?? 'not given'}`);
console.log('| source | distinct certificates | core der, every TLV: refused | ca-practice parse: refused | reuse reader: refused |');
console.log('| --- | ---: | --- | --- | --- |');
const details = [];
for (const [name, list] of Object.entries(await sources())) {
  const seen = new Set();
  const strict = new Map();
  const parse = new Map();
  const reuse = new Map();
  for (const d of list) {
    const fp = createHash('sha256').update(d).digest('hex');
    if (seen.has(fp)) continue;
    seen.add(fp);
    const s = tlvWalk(d);
    if (s) tally(strict, s);
    const p = refusal(() => caPractice.parseCertificate(d));
    if (p) {
      tally(parse, p);
      details.push(`${name}: ${fp.slice(0, 16)} ca-practice parse: ${p}${s ? `; TLV walk: ${s}` : ''}`);
    }
    if (reuseReader) {
      const r = refusal(() => reuseReader.certificateParts(d));
      if (r) tally(reuse, r);
    }
  }
  console.log(`| ${name} | ${seen.size} | ${causes(strict)} | ${causes(parse)} | ${reuseReader ? causes(reuse) : 'n/a'} |`);
}
if (details.length) console.log(`\nRefused by ca-practice's parse:\n${details.join('\n')}`);
