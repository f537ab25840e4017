/**
 * Builds a population of records from a declarative description (a YAML file
 * beside this one): groups of servers, each a copy of a record the real
 * engine produced (fixture/records.jsonl, named in fixture/manifest.json),
 * with only its address (ip, port) and, when the group says so, its
 * certificates changed. The expected numbers are written in the same file;
 * nothing here knows an analysis's rules.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { selfSignedCertificate } from '@wildtls/core/testing';
import type { ProbeRecord, ReportCell } from '@wildtls/core';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface Group {
  name?: string;
  /** The fixture record every server of the group is a copy of. */
  like: string;
  /** How many servers (copies), each on a fresh address. */
  servers: number;
  /** The port the copies are at (default: the fixture record's). */
  port?: number;
  /** Records for the first `servers` addresses of an earlier group (a server's later records). */
  again?: string;
  /** Certificates sent, leaf first, by label: one certificate per label; "*" is a fresh one per server. */
  chain?: string[];
}

export interface ExpectedTable {
  title: string;
  paper?: { ref: string; order?: number };
  rows: Array<Record<string, ReportCell | string>>;
}

export interface Population {
  describe: string;
  analyses: string[];
  groups: Group[];
  expect: Record<string, { totals: Record<string, number>; tables: Record<string, ExpectedTable> }>;
}

interface Fixture {
  byName: Map<string, ProbeRecord>;
}

let fixture: Fixture | undefined;
function loadFixture(): Fixture {
  if (fixture) return fixture;
  const records = readFileSync(`${HERE}fixture/records.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeRecord);
  const manifest = JSON.parse(readFileSync(`${HERE}fixture/manifest.json`, 'utf8')) as { records: Array<{ name: string; ip: string; port: number; service: string }> };
  const byName = new Map<string, ProbeRecord>();
  for (const m of manifest.records) {
    const r = records.find((x) => x.ip === m.ip && x.port === m.port && x.service === m.service);
    if (!r) throw new Error(`fixture: no record for ${m.name}`);
    byName.set(m.name, r);
  }
  return (fixture = { byName });
}

export function readPopulation(file: string): Population {
  return parse(readFileSync(`${HERE}${file}`, 'utf8')) as Population;
}

/** "6/10" -> 0.6 (the analyzers divide the same two integers); anything else as written. */
export function literal(v: unknown): unknown {
  if (typeof v === 'string') {
    const m = /^(\d+)\/(\d+)$/.exec(v);
    if (m) return Number(m[1]) / Number(m[2]);
  }
  return v;
}

/** Data-only addresses (198.18.0.0/15, never dialled): one per server, in order. */
function address(n: number): string {
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

export async function buildRecords(p: Population): Promise<ProbeRecord[]> {
  const { byName } = loadFixture();
  const certs = new Map<string, string>();
  const cert = async (label: string) => {
    if (label !== '*' && certs.has(label)) return certs.get(label)!;
    const c = (await selfSignedCertificate({ commonName: label === '*' ? `fresh-${certs.size}.paper.test` : `${label}.paper.test`, keyType: 'ec' })).der.toString('base64');
    certs.set(label === '*' ? `*${certs.size}` : label, c);
    return c;
  };
  const placed = new Map<string, Array<{ ip: string; port: number }>>();
  const out: ProbeRecord[] = [];
  let next = 1;
  for (const [i, g] of p.groups.entries()) {
    const base = byName.get(g.like);
    if (!base) throw new Error(`group ${g.name ?? i}: no fixture record "${g.like}"`);
    const earlier = g.again ? placed.get(g.again) : undefined;
    if (g.again && (!earlier || earlier.length < g.servers)) throw new Error(`group ${g.name ?? i}: again "${g.again}" has fewer than ${g.servers} servers`);
    const addrs: Array<{ ip: string; port: number }> = [];
    for (let k = 0; k < g.servers; k++) {
      const r = JSON.parse(JSON.stringify(base)) as ProbeRecord;
      const at = earlier ? earlier[k]! : { ip: address(next++), port: g.port ?? base.port };
      r.ip = at.ip;
      r.port = at.port;
      if (g.chain) {
        if (!r.tls?.chain?.length) throw new Error(`group ${g.name ?? i}: "${g.like}" sent no certificates to replace`);
        r.tls.chain = await Promise.all(g.chain.map(cert));
      }
      addrs.push(at);
      out.push(r);
    }
    if (g.name) placed.set(g.name, addrs);
  }
  return out;
}
