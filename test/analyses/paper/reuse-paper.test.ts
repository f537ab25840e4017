/**
 * The study's Table VI, Fig. 6a-c and Fig. 7 on a population whose truth is
 * written by hand in reuse-truth.yaml: certificates from the test PKI with
 * whole subject DNs, served on declared IPs by records copied from a real
 * scan (farm-records.jsonl, only ip, port and chain varied). Validity comes
 * from ca-practice's validator with the PKI's root as the only anchor; the
 * declared class of each certificate is what the expected rows say.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { container as root } from 'tsyringe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import reusePlugin from '@wildtls/analysis-reuse';
import { silentLogger, type ProbeRecord, type Report, type ReportCell } from '@wildtls/core';
import { expandIps, readTruth, recordOf, shareOf, templatesByKind } from './fixture-records.js';
import { NOW, issue, keyPair, type Issued, type SubjectSpec } from './pki.js';

interface CertSpec {
  issuer: 'intermediate' | 'untrusted' | 'self';
  class: string;
  subject: SubjectSpec;
  expired?: boolean;
  key?: string;
}
interface TableTruth {
  paper: { ref: string; order?: number };
  title: string;
  rows: Array<Array<string | number | null>>;
}
interface Truth {
  certificates: Record<string, CertSpec>;
  servers: Array<{ cert: string; service: string; port: number; ips: string | string[] }>;
  options: Record<string, unknown>;
  expected: { totals: Record<string, number> } & Record<string, TableTruth>;
}

const CCDF: Array<[string, 'cell' | 'share' | 'list']> = [['service', 'cell'], ['port', 'cell'], ['ips', 'cell'], ['items', 'cell'], ['share', 'share']];
/** Column keys of each table, in the order the truth file writes a row. */
const COLUMNS: Record<string, Array<[key: string, kind: 'cell' | 'share' | 'list']>> = {
  'most-reused': [['service', 'cell'], ['rank', 'cell'], ['ips', 'cell'], ['subject', 'cell'], ['class', 'cell']],
  'most-reused-all': [['rank', 'cell'], ['ips', 'cell'], ['subject', 'cell'], ['class', 'cell'], ['services', 'list']],
  'ccdf-certificates-all': CCDF,
  'ccdf-certificates-valid': CCDF,
  'ccdf-certificates-self-signed': CCDF,
  'reused-valid': [['service', 'cell'], ['port', 'cell'], ['certificates', 'cell'], ['reused', 'cell'], ['reusedValid', 'cell'], ['share', 'share']],
  'ccdf-keys': CCDF,
};

function expectedRow(id: string, row: Array<string | number | null>): Record<string, ReportCell> {
  const cols = COLUMNS[id]!;
  expect(row, `${id}: ${JSON.stringify(row)}`).toHaveLength(cols.length);
  return Object.fromEntries(cols.map(([key, kind], i) => [key, kind === 'share' ? shareOf(row[i]!) : kind === 'list' ? String(row[i]).split(' ') : row[i]!]));
}

/** Only the declared columns of a report row (Table VI also carries the SHA-256). */
function pick(id: string, row: Record<string, ReportCell>): Record<string, ReportCell> {
  return Object.fromEntries(COLUMNS[id]!.map(([key]) => [key, row[key]!]));
}

/** The chains as sent, by certificate name, and the trust anchor. */
async function buildPki(specs: Record<string, CertSpec>): Promise<{ chains: Map<string, string[]>; rootPem: string }> {
  const rootCa = await issue({ subject: [{ CN: 'Paper Truth Root' }, { O: 'wildtls tests' }], ca: true });
  const inter = await issue({ subject: [{ CN: 'Paper Truth Intermediate' }, { O: 'wildtls tests' }], ca: true, issuer: rootCa });
  const untrusted = await issue({ subject: [{ CN: 'Untrusted Root' }], ca: true });
  const keys = new Map<string, CryptoKeyPair>();
  const chains = new Map<string, string[]>();
  for (const [name, s] of Object.entries(specs)) {
    let k: CryptoKeyPair | undefined;
    if (s.key) {
      if (!keys.has(s.key)) keys.set(s.key, await keyPair());
      k = keys.get(s.key);
    }
    const by: Issued | undefined = s.issuer === 'intermediate' ? inter : s.issuer === 'untrusted' ? untrusted : undefined;
    const leaf = await issue({ subject: s.subject, issuer: by, keys: k, expired: s.expired });
    chains.set(name, by ? [leaf.b64, by.b64] : [leaf.b64]);
  }
  return { chains, rootPem: rootCa.pem };
}

describe('reuse: the study\'s Table VI, Fig. 6 and Fig. 7 on a declared population', () => {
  const truth = readTruth<Truth>('reuse-truth.yaml');
  let dir = '';
  let report: Report;
  const table = (id: string) => report.tables.find((t) => t.id === id)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wildtls-reuse-truth-'));
    const { chains, rootPem } = await buildPki(truth.certificates);
    const rootsFile = join(dir, 'roots.pem');
    writeFileSync(rootsFile, rootPem);
    const templates = templatesByKind();
    const records: ProbeRecord[] = truth.servers.flatMap((s) => expandIps(s.ips).map((ip) => recordOf(templates, `${s.service}/success`, { ip, port: s.port, chain: chains.get(s.cert)! })));
    // ca-practice not loaded: reuse builds its validator, with the PKI's root, on the analysis thread.
    const a = await reusePlugin.create({ options: { ...truth.options, worker: false }, params: { rootsFile, at: NOW }, container: root.createChildContainer(), logger: silentLogger() });
    for (const r of records) await a.consume(r);
    report = await a.finish();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every record, certificate and key', () => {
    expect(report.totals).toMatchObject(truth.expected.totals);
  });

  for (const id of Object.keys(COLUMNS)) {
    it(`${id}: rows, denominators, title and paper marker as declared`, () => {
      const t = truth.expected[id]!;
      expect(table(id).paper).toEqual(t.paper);
      expect(table(id).title).toBe(t.title);
      expect(table(id).rows.map((r) => pick(id, r))).toEqual(t.rows.map((r) => expectedRow(id, r)));
    });
  }

  it('every other table says it is beyond the study and has no paper marker', () => {
    const others = report.tables.filter((t) => !(t.id in COLUMNS));
    expect(others.map((t) => t.id)).toEqual(['summary', 'certificates-all', 'certificates-valid', 'certificates-self-signed', 'keys', 'top-invalid', 'ticket-keys']);
    for (const t of others) {
      expect(t.paper, t.id).toBeUndefined();
      expect(t.title, t.id).toContain('beyond the study');
    }
  });
});
