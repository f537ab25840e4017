import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../harness/daemon.js';
import { runCli, type CliResult } from '../../cli/run-cli.js';
import { farmConfigYaml } from '../../real-servers/farm/farm-config.js';
import { FIXTURE_FILE, readFixture, templateKey } from './fixture-records.js';
import { startFixtureFarm, type FixtureFarm } from './fixture-farm.js';

/*
 * The records the paper truth tests copy (farm-records.jsonl) are records the
 * engine produced: this suite scans the same servers again with `wildtls scan`
 * and checks that the committed fixture still has the shape a scan gives now
 * (status, mode, STARTTLS, which capability phases, SASL and capability lists,
 * TLS version and completion, chain length). When it does not, re-record:
 *
 *   WILDTLS_RECORD_FIXTURE=1 npx vitest run test/analyses/paper/farm-fixture.test.ts
 *
 * which writes the fresh scan's records to farm-records.jsonl: one of each
 * kind (service and status), connect-failed ones left out.
 */
const RECORD = process.env.WILDTLS_RECORD_FIXTURE === '1';

type Rec = Record<string, any>;
let fixture: FixtureFarm;
let dir = '';
let cli: CliResult;
let fresh: Rec[] = [];

const sorted = (l: unknown) => (Array.isArray(l) ? [...l].map(String).sort() : l);
/** What the truth tests rely on, as a scan gives it: lists compared as sets (Prosody reorders its mechanisms). */
function shape(r: Rec) {
  const phases = (o: Rec | undefined) => (o ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted(o[k])])) : undefined);
  return {
    key: templateKey(r as never),
    mode: r.mode,
    status: r.status,
    reason: r.error?.reason,
    starttls: r.starttls && { offered: r.starttls.offered, upgraded: r.starttls.upgraded },
    capabilities: phases(r.capabilities),
    sasl: phases(r.sasl),
    tls: r.tls && { version: r.tls.version, completed: r.tls.completed, chain: r.tls.chain?.length, kx: r.tls.keyExchange?.kind },
  };
}

beforeAll(async () => {
  fixture = await startFixtureFarm();
  dir = tempDir('paper-fixture-scan');
  const config = join(dir, 'farm.yaml');
  const out = join(dir, 'out.jsonl');
  writeFileSync(config, farmConfigYaml(fixture.farm));
  cli = await runCli(['scan', '--config', config, '--output', out], { cwd: dir, timeoutMs: 90_000 });
  const all = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec) : [];
  // One record of each kind (the first address's): POP3 on port 25 meets both Postfixes, say.
  const byKind = new Map<string, Rec>();
  for (const r of all.filter((x) => x.status !== 'connect-failed').sort((a, b) => a.ip.localeCompare(b.ip))) if (!byKind.has(templateKey(r as never))) byKind.set(templateKey(r as never), r);
  fresh = [...byKind.values()].sort((a, b) => templateKey(a as never).localeCompare(templateKey(b as never)));
  if (RECORD && cli.code === 0) writeFileSync(FIXTURE_FILE, fresh.map((r) => JSON.stringify(r)).join('\n') + '\n');
}, 180_000);

afterAll(async () => {
  await fixture?.stop();
  if (dir) removeDir(dir);
});

describe('farm-records.jsonl is what a scan of the fixture servers gives today', () => {
  it('the scan exits 0', () => {
    expect(cli.code, `${cli.stderr}\n${fixture.logs()}`).toBe(0);
  });

  it('every record kind of the fixture, and no other, comes out of the scan with the same shape', () => {
    const committed = readFixture();
    expect(fresh.map(shape), fixture.logs()).toEqual(committed.map(shape));
  });

  it('the kinds the truth tests build on are there', () => {
    const kinds = readFixture().map((r) => templateKey(r));
    for (const k of ['smtp/success', 'smtp/no-starttls', 'submission/success', 'smtps/success', 'imap/success', 'imap/no-starttls', 'imaps/success', 'pop3/success', 'pop3/no-starttls', 'pop3s/success', 'xmpp-client/success', 'https/success']) {
      expect(kinds).toContain(k);
    }
  });
});
