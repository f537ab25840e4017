/*
 * The fixture library (test/synthetic/fixture/records.jsonl, named in
 * manifest.json) holds records the engine produced: real servers on
 * 127.0.49.0/24 (this suite's range, fixture-cells.ts says which) scanned with
 * the wildtls CLI. This suite starts the same servers, scans them again and
 * checks that every named record still has the shape a scan gives today: what
 * the synthetic records copy and the populations' expectations rely on. When
 * it does not, re-record (as root, with the packages of
 * scripts/install-test-deps.sh):
 *
 *   npx tsc -b && WILDTLS_RECORD_FIXTURE=1 npx vitest run test/synthetic/fixture-scan.test.ts
 *
 * then run the population truth tests (test/analyses/paper-truth.test.ts,
 * test/analyses/mid-size-truth.test.ts): their expected numbers follow from
 * the manifest's descriptions, so a change of shape may change them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { EXIM_BIN, EXIM_INSTALL } from '../real-servers/smtp/exim.js';
import { GNUTLS_SERV, scanFixtureServers, type Named, type Rec, type Scanned } from './fixture-servers.js';

const OUT = fileURLToPath(new URL('./fixture/', import.meta.url));
const RECORD = process.env.WILDTLS_RECORD_FIXTURE === '1';

const ready = requireBinaries([
  DAEMONS.openssl, DAEMONS.postfix, DAEMONS.dovecot, DAEMONS.dovecotImap, DAEMONS.dovecotPop3, DAEMONS.prosody, DAEMONS.inspircd, DAEMONS.nginx,
  { path: GNUTLS_SERV, pkg: 'gnutls-bin' },
  { path: EXIM_BIN, pkg: 'exim4-daemon-light', how: EXIM_INSTALL },
]);
let fresh: Scanned | undefined;

beforeAll(async () => {
  if (!ready) return;
  fresh = await scanFixtureServers();
  await fresh.stop();
  if (!RECORD) return;
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'records.jsonl'), fresh.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(OUT, 'manifest.json'), JSON.stringify({ made: 'npx tsc -b && WILDTLS_RECORD_FIXTURE=1 npx vitest run test/synthetic/fixture-scan.test.ts', records: fresh.named }, null, 2) + '\n');
}, 600_000);

const readJsonl = (file: string): Rec[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
function committed(): { named: Named[]; records: Rec[] } {
  const manifest = JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as { records: Named[] };
  return { named: manifest.records, records: readJsonl(join(OUT, 'records.jsonl')) };
}

const sorted = (l: unknown) => (Array.isArray(l) ? [...l].map(String).sort() : l);
/** Capability or SASL phases, lists compared as sets (Prosody reorders its mechanisms). */
const phases = (o: unknown) => (o && typeof o === 'object' ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted((o as Record<string, unknown>)[k])])) : undefined);

/** What the synthetic records and the truth tests rely on, as a scan gives it (addresses, ports the kernel chose, times and certificate bytes left out). */
function shape(r: Rec) {
  const tls = r.tls as ProbeRecord['tls'];
  const st = r.starttls as { offered: boolean; upgraded: boolean } | undefined;
  return {
    service: r.service,
    mode: r.mode,
    status: r.status,
    reason: (r.error as { reason?: string } | undefined)?.reason,
    banner: r.banner !== undefined,
    starttls: st && { offered: st.offered, upgraded: st.upgraded },
    capabilities: phases(r.capabilities),
    sasl: phases(r.sasl),
    tls: tls && {
      version: tls.version,
      suite: tls.cipherSuite?.name,
      kx: tls.keyExchange,
      completed: tls.completed,
      notCompleted: tls.notCompletedReason,
      error: tls.error?.kind,
      chain: tls.chain?.length,
      stapled: tls.ocspStapled,
    },
  };
}

describe.runIf(ready)('test/synthetic/fixture/ is what a scan of its servers gives today', () => {
  it('every named record comes out of a fresh scan with the same shape', () => {
    const c = committed();
    // The manifest's n-th entry names the n-th record (an observe-only record shares its server's address).
    const byName = (n: Named[], recs: Rec[]) => Object.fromEntries(n.map((x, i) => [x.name, shape(recs[i]!)]));
    expect(byName(fresh!.named, fresh!.records), fresh!.logs().slice(-3000)).toEqual(byName(c.named, c.records));
  });

  it('the manifest names every record once, and the records are the ones named', () => {
    const c = committed();
    expect(new Set(c.named.map((n) => n.name)).size).toBe(c.records.length);
    c.named.forEach((n, i) => expect({ ip: c.records[i]!.ip, port: c.records[i]!.port, service: c.records[i]!.service }, n.name).toEqual({ ip: n.ip, port: n.port, service: n.service }));
  });
});
