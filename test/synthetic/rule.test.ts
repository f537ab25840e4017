/*
 * The fixture-library rule (fixture-library.mjs): a synthetic record is a
 * fixture record with only ip, port, domain, startedAt, the chain (same leaf
 * key type, no staple), and SASL or capability lists of the fixture's phases
 * changed. synthesize() refuses anything else; and every record the generator
 * writes, for the mid-size truth population and for the benchmark's population
 * (scaled down), is checked here against the fixture library by a check of its
 * own: mask the allowed fields, and the rest must equal one fixture record.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecords, type ProbeRecord } from '@wildtls/core';
import { fixtureLibrary, fixtureRecord, leafKeyType, RuleError, synthesize, VARIABLE_FIELDS } from './fixture-library.mjs';
import { certificateAuthorities, issue, leafValidity, newKey } from './certificates.mjs';
import { buildPopulation, readPopulation } from './population.mjs';
import { stringify, writePopulation } from './generate.mjs';

const dir = mkdtempSync(join(tmpdir(), 'wildtls-rule-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The key type as node:crypto reads the certificate (the rule's own reader is a DER walk). */
const nodeKeyTypes = new Map<string, string>();
function nodeKeyType(b64: string): string {
  let t = nodeKeyTypes.get(b64);
  if (t === undefined) {
    const k = new X509Certificate(Buffer.from(b64, 'base64')).publicKey;
    const d = k.asymmetricKeyDetails!;
    t = k.asymmetricKeyType === 'rsa' ? `rsa-${d.modulusLength}` : k.asymmetricKeyType === 'ec' ? `ec-${{ prime256v1: 'P-256', secp384r1: 'P-384' }[d.namedCurve!] ?? d.namedCurve}` : k.asymmetricKeyType!;
    nodeKeyTypes.set(b64, t);
  }
  return t;
}

/** JSON with keys sorted at every level: equal for records equal as values. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/**
 * A record with what the rule lets vary masked: address, domain and time gone,
 * SASL and capability lists reduced to their phases, the chain to its leaf's
 * key type (kept whole when `keepChain`: a stapled record's chain may not change).
 */
function masked(r: ProbeRecord, keepChain: boolean): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a copy cut down field by field to compare shapes; no record type describes the result
  const c = structuredClone(r) as any;
  delete c.ip;
  delete c.port;
  delete c.domain;
  delete c.startedAt;
  for (const f of ['sasl', 'capabilities']) if (c[f]) c[f] = Object.keys(c[f]).sort();
  if (c.tls?.chain?.length && !keepChain) c.tls.chain = `a chain whose leaf is ${nodeKeyType(c.tls.chain[0])}`;
  return canonical(c);
}

const stapled = (r: ProbeRecord) => r.tls?.ocspStapled === true || r.tls?.ocspResponse !== undefined;
const library = new Map<string, string>();
for (const [name, r] of fixtureLibrary().byName) library.set(masked(r, stapled(r)), name);

/** The fixture record `r` conforms to, or an Error saying why none. */
function sourceOf(r: ProbeRecord): string {
  expect(isIP(r.ip), `ip ${r.ip}`).not.toBe(0);
  expect(Number.isInteger(r.port) && r.port > 0 && r.port < 65536, `port ${r.port}`).toBe(true);
  expect(Number.isNaN(Date.parse(r.startedAt)), `startedAt ${r.startedAt}`).toBe(false);
  for (const f of ['sasl', 'capabilities'] as const) for (const list of Object.values(r[f] ?? {})) expect((list as unknown[]).every((x) => typeof x === 'string')).toBe(true);
  const name = library.get(masked(r, false)) ?? library.get(masked(r, true));
  if (!name) throw new Error(`no fixture record has this shape: ${JSON.stringify({ ...r, tls: r.tls && { ...r.tls, chain: r.tls.chain?.length } }).slice(0, 600)}`);
  return name;
}

async function readAll(file: string): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for await (const r of readRecords(file)) out.push(r);
  return out;
}

describe('synthesize: the rule, enforced', () => {
  const smtp = fixtureRecord('postfix-smtp');

  it('names exactly the fields a synthetic record may change', () => {
    expect([...VARIABLE_FIELDS]).toEqual(['ip', 'port', 'domain', 'startedAt', 'chain', 'sasl', 'capabilities']);
  });

  it('changes nothing but what the variation says; the rest is the fixture record', () => {
    const r = synthesize(smtp, { ip: '10.0.0.1', port: 2525, domain: 'mx.example.org', startedAt: '2026-01-15T00:00:00.000Z', sasl: { beforeTls: [], afterTls: ['PLAIN'] } });
    expect(sourceOf(r)).toBe('postfix-smtp');
    expect({ ...r, ip: smtp.ip, port: smtp.port, startedAt: smtp.startedAt, sasl: smtp.sasl, domain: undefined }).toEqual({ ...smtp, domain: undefined });
    expect([r.ip, r.port, r.domain, r.startedAt, r.sasl]).toEqual(['10.0.0.1', 2525, 'mx.example.org', '2026-01-15T00:00:00.000Z', { beforeTls: [], afterTls: ['PLAIN'] }]);
  });

  it.each([
    ['status', { status: 'success' }],
    ['tls', { tls: { version: 'SSLv3' } }],
    ['service', { service: 'imap' }],
    ['starttls', { starttls: { offered: true, upgraded: true } }],
    ['banner', { banner: '220 hello' }],
    ['durationMs', { durationMs: 1 }],
  ])('refuses a change of %s', (_, v) => {
    expect(() => synthesize(smtp, v as never)).toThrow(RuleError);
  });

  it('refuses a malformed address, port or time', () => {
    expect(() => synthesize(smtp, { ip: '2001:db8::a79e5' })).toThrow(/not an IP address/);
    expect(() => synthesize(smtp, { port: 70000 })).toThrow(/not a port/);
    expect(() => synthesize(smtp, { startedAt: 'yesterday' })).toThrow(/not a time/);
  });

  it('refuses SASL or capability phases the fixture record\'s dialog never reached', () => {
    const plain = fixtureRecord('postfix-no-tls-smtp');
    expect(() => synthesize(plain, { sasl: { beforeTls: ['PLAIN'], afterTls: ['PLAIN'] } })).toThrow(/no such phase/);
    expect(() => synthesize(plain, { capabilities: { afterTls: ['AUTH PLAIN'] } })).toThrow(/no such phase/);
    expect(() => synthesize(smtp, { sasl: { afterTls: ['PLAIN'] } })).toThrow(/exactly the fixture record's phases/);
    expect(() => synthesize(fixtureRecord('nginx-https'), { sasl: {} })).toThrow(/has none/);
    expect(() => synthesize(smtp, { sasl: { beforeTls: [], afterTls: ['PLAIN LOGIN'] } })).toThrow(/mechanism names/);
  });

  it('refuses a chain where the server sent none, under a staple, or with another leaf key type', async () => {
    const ca = await certificateAuthorities(new Date('2026-01-15T00:00:00Z'));
    const [rsa, ec] = await Promise.all([newKey('rsa-2048'), newKey('ec-P-256')]);
    const rsaLeaf = (await issue({ subject: 'CN=rsa.example', issuer: ca.intermediate, keys: rsa, validity: leafValidity(new Date()) })).b64;
    const ecLeaf = (await issue({ subject: 'CN=ec.example', issuer: ca.intermediate, keys: ec, validity: leafValidity(new Date()) })).b64;
    expect(synthesize(smtp, { chain: [rsaLeaf, ca.intermediate.b64] }).tls!.chain).toEqual([rsaLeaf, ca.intermediate.b64]);
    expect(() => synthesize(smtp, { chain: [ecLeaf] })).toThrow(/leaf's key is ec-P-256, the fixture record's rsa-2048/);
    expect(synthesize(fixtureRecord('nginx-https'), { chain: [ecLeaf] }).tls!.chain).toEqual([ecLeaf]);
    expect(() => synthesize(fixtureRecord('refused-smtp'), { chain: [rsaLeaf] })).toThrow(/carries no chain/);
    expect(() => synthesize(fixtureRecord('sserver-anon'), { chain: [rsaLeaf] })).toThrow(/carries no chain/);
    expect(() => synthesize(fixtureRecord('sserver-dhe2048-ocsp'), { chain: [rsaLeaf] })).toThrow(/OCSP/);
  });

  it('reads every fixture leaf\'s key type as node:crypto does', () => {
    for (const [name, r] of fixtureLibrary().byName) {
      const leaf = r.tls?.chain?.[0];
      if (leaf) expect(leafKeyType(leaf), name).toBe(nodeKeyType(leaf));
    }
  });
});

describe('every record the generator writes follows the rule', () => {
  it('the mid-size truth population: every record, each from the fixture record its group names', async () => {
    const p = readPopulation(new URL('../analyses/mid-size-population.yaml', import.meta.url));
    const file = join(dir, 'mid-size.jsonl.gz');
    await writePopulation(p, file);
    const records = await readAll(file);
    expect(records).toHaveLength(2501);
    // In population order: each group's servers, each a copy of the fixture record the group names.
    const count = new Map<string, number>();
    const expected = (p.groups as Array<{ name?: string; like: string; servers?: number; again?: string }>).flatMap((g) => {
      const n = g.servers ?? count.get(g.again!)!;
      if (g.name) count.set(g.name, n);
      return Array<string>(n).fill(g.like);
    });
    expect(records.map(sourceOf)).toEqual(expected);
  }, 120_000);

  it('the benchmark population at scale 0.01 (about 10,000 records, shuffled)', async () => {
    const file = join(dir, 'bench.jsonl');
    const { made } = await writePopulation(readPopulation(new URL('./bench-population.yaml', import.meta.url)), file, { scale: 0.01 });
    const records = await readAll(file);
    expect(records.length).toBe(made.records);
    expect(records.length).toBeGreaterThan(9000);
    const used = new Set(records.map(sourceOf));
    expect(used.size).toBeGreaterThan(40);
  }, 120_000);

  it('the distinct-leaves benchmark population at scale 0.01: every chain-carrying record has a leaf of its own', async () => {
    const file = join(dir, 'distinct.jsonl');
    const { made } = await writePopulation(readPopulation(new URL('./bench-distinct-population.yaml', import.meta.url)), file, { scale: 0.01 });
    const records = await readAll(file);
    expect(records.length).toBe(2000);
    const leaves = records.flatMap((r) => (r.tls?.chain?.length ? [r.tls.chain[0]] : []));
    expect(leaves.length).toBe(1850);
    expect(new Set(leaves).size).toBe(1850);
    expect(made.minted).toBe(1850);
  }, 120_000);

  it('writes what JSON.stringify writes', async () => {
    const built = await buildPopulation(readPopulation(new URL('../analyses/paper/reuse-truth.yaml', import.meta.url)));
    for (const r of built.records()) expect(stringify(r)).toBe(JSON.stringify(r));
  });
});
