/**
 * Records for the paper truth tests: copies of records the engine produced
 * in a real scan (farm-records.jsonl, see farm-fixture.test.ts for the
 * command that made it), with only what a truth file's group says varied:
 * ip and port, the SASL lists, the capability lists (IMAP LOGINDISABLED and
 * AUTH= live there), the chain. Nothing here counts anything.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ProbeRecord } from '@wildtls/core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_FILE = join(HERE, 'farm-records.jsonl');

/** A fixture record's kind: its service and status ("smtp/success", "imap/no-starttls"). */
export function templateKey(r: Pick<ProbeRecord, 'service' | 'status'>): string {
  return `${r.service}/${r.status}`;
}

export function readFixture(): ProbeRecord[] {
  const records = readFileSync(FIXTURE_FILE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeRecord);
  const kinds = records.map(templateKey);
  if (new Set(kinds).size !== kinds.length) throw new Error(`${FIXTURE_FILE}: two records of one kind (${kinds.join(', ')})`);
  return records;
}

export function readTruth<T>(name: string): T {
  return parse(readFileSync(join(HERE, name), 'utf8')) as T;
}

/** "192.0.2.1-5" (last octet range), one address, or a list of those. */
export function expandIps(spec: string | string[]): string[] {
  return (Array.isArray(spec) ? spec : [spec]).flatMap((s) => {
    const m = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(s);
    if (!m) return [s];
    const out: string[] = [];
    for (let i = Number(m[2]); i <= Number(m[3]); i++) out.push(`${m[1]}${i}`);
    return out;
  });
}

type Phases = { beforeTls?: string[]; afterTls?: string[] };

/** What a group of a truth file may set on the copies of one fixture record. */
export interface Variation {
  ip: string;
  port: number;
  sasl?: Phases;
  capabilities?: Phases;
  chain?: string[];
}

/** A copy of the fixture record of `kind` with the variation applied; a variation the record's kind cannot carry is refused. */
export function recordOf(templates: Map<string, ProbeRecord>, kind: string, v: Variation): ProbeRecord {
  const t = templates.get(kind);
  if (!t) throw new Error(`no fixture record of kind ${kind} (have: ${[...templates.keys()].join(', ')})`);
  const r = structuredClone(t);
  r.ip = v.ip;
  r.port = v.port;
  for (const field of ['sasl', 'capabilities'] as const) {
    const phases = v[field];
    if (!phases) continue;
    // A phase the real dialog never reached (e.g. after TLS on a server without STARTTLS) cannot be made up;
    // SASL lists are given for every phase the record has, so none is left from the fixture unsaid.
    for (const p of Object.keys(phases)) if (!t[field] || !(p in t[field]!)) throw new Error(`${kind} has no ${field}.${p}`);
    if (field === 'sasl' && Object.keys(t.sasl ?? {}).sort().join() !== Object.keys(phases).sort().join()) throw new Error(`${kind}: give sasl for exactly ${Object.keys(t.sasl ?? {}).join(' and ')}`);
    r[field] = { ...t[field], ...structuredClone(phases) };
  }
  if (v.chain) {
    if (!t.tls?.chain?.length) throw new Error(`${kind} carries no chain`);
    r.tls!.chain = [...v.chain];
  }
  return r;
}

export function templatesByKind(): Map<string, ProbeRecord> {
  return new Map(readFixture().map((r) => [templateKey(r), r]));
}

/** A share as a truth file writes it: a number, or "n/d". */
export function shareOf(v: number | string | null): number | null {
  if (v === null || typeof v === 'number') return v;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (!m) throw new Error(`not a share: ${v}`);
  return Number(m[1]) / Number(m[2]);
}
