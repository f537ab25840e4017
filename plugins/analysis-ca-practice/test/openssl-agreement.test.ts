import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainService } from '../src/analysis/chain-service.js';
import { parseCertificate } from '../src/cert/parse-certificate.js';
import { IssuerPool } from '../src/validate/issuer-pool.js';
import { repoChains, type CorpusChain } from './agreement-corpus.js';
import { loadLimbo } from './limbo-runner.js';
import { openSslAvailable, openSslVersion, pem, runOpenSslVerify } from './openssl-baseline.js';

/**
 * The default (openssl) verdict against Debian's `openssl verify` itself:
 * every x509-limbo SERVER case (no host name: the study scanned addresses)
 * and every test chain of the repository, compared on valid-or-not and on
 * the first error OpenSSL prints (code and depth) against our primary error.
 * The disagreements must be exactly the ones docs/analyses/ca-practice.md
 * lists and explains: a new one fails the test, and so does a listed one
 * that went away.
 */
const DOC = new URL('../../../docs/analyses/ca-practice.md', import.meta.url);

function limboCorpus(): CorpusChain[] {
  const der = (p: string) => Buffer.from(new X509Certificate(p).raw);
  return loadLimbo()
    .filter((tc) => tc.validation_kind === 'SERVER')
    .map((tc) => ({
      id: tc.id,
      chain: [der(tc.peer_certificate), ...tc.untrusted_intermediates.map(der)],
      anchors: tc.trusted_certs.map(der),
      at: tc.validation_time ? Date.parse(tc.validation_time) : Date.now(),
    }));
}

function ours(c: CorpusChain) {
  const anchors = new IssuerPool();
  for (const d of c.anchors) anchors.add(parseCertificate(d));
  const svc = new ChainService({
    store: { anchors, source: c.id, rejected: 0 },
    profile: 'openssl',
    strictAnchors: false,
    maxIntermediates: 8,
    maxSignatureChecks: 64,
    maxValidityDays: 1185,
    useScanIntermediates: false,
  });
  return svc.verdict(c.chain.map((d) => d.toString('base64')), c.at);
}

const fmt = (e: { code: number; depth: number }) => (e.code === 0 ? 'OK' : `${e.code}@${e.depth}`);

/** The rows of the doc's disagreement table: case id, what OpenSSL says, what we say. */
function listed(): Set<string> {
  const text = readFileSync(DOC, 'utf8');
  const section = text.split('### Disagreements with OpenSSL 3.0')[1]?.split(/\n#{2,3} /)[0] ?? '';
  const rows = [...section.matchAll(/^\| `([^`]+)` \| `([^`]+)` \| `([^`]+)` \|/gm)];
  return new Set(rows.map((m) => `${m[1]} openssl=${m[2]} ours=${m[3]}`));
}

describe('the default verdict agrees with openssl verify', () => {
  let corpus: CorpusChain[];
  let limbo = 0;
  beforeAll(async () => {
    // A missing openssl must fail the suite, never skip it.
    if (!openSslAvailable()) throw new Error('openssl is not installed: apt-get install -y openssl (scripts/install-test-deps.sh)');
    const cases = limboCorpus();
    limbo = cases.length;
    corpus = [...cases, ...(await repoChains())];
  }, 120_000);

  it('on every limbo SERVER case and repository chain, except the listed and explained ones', () => {
    const disagree = new Set<string>();
    let agreeValid = 0;
    let agreeFirst = 0;
    for (const c of corpus) {
      const o = runOpenSslVerify({ leaf: pem(c.chain[0]!), untrusted: c.chain.slice(1).map(pem), trusted: c.anchors.map(pem), at: c.at, authLevel: 1 });
      expect(o.ok || o.errors.length > 0, `${c.id}: openssl failed without a verify error: ${o.stderr}`).toBe(true);
      const theirs = o.errors[0] ?? { code: 0, depth: 0 };
      const e = ours(c);
      const mine = e.openssl;
      if ((e.errors.length === 0) === o.ok) agreeValid++;
      if (fmt(mine) === fmt(theirs)) agreeFirst++;
      // Valid-or-not follows from the first error (none means valid), so one comparison covers both.
      expect((e.errors.length === 0) === (mine.code === 0), c.id).toBe(true);
      if (fmt(mine) !== fmt(theirs)) disagree.add(`${c.id} openssl=${fmt(theirs)} ours=${fmt(mine)}`);
    }
    console.log(
      [
        `${openSslVersion()} -auth_level 1 -purpose sslserver, no host name: ${corpus.length} chains (${limbo} limbo SERVER cases, ${corpus.length - limbo} repository chains)`,
        `valid or not: ${agreeValid}/${corpus.length} agree; first error (code and depth): ${agreeFirst}/${corpus.length} agree`,
        ...[...disagree].map((d) => `  disagree: ${d}`),
      ].join('\n'),
    );
    expect([...disagree].sort()).toEqual([...listed()].sort());
  }, 300_000);
});
