import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForeground, waitForPort } from '../../harness/daemon.js';
import { binaryOrThrow } from '../../harness/require-binary.js';

export const KNOTD = { path: '/usr/sbin/knotd', pkg: 'knot' };
export const UNBOUND = { path: '/usr/sbin/unbound', pkg: 'unbound' };
const HOW = (pkg: string) => `apt-get install -y ${pkg} (scripts/install-test-deps.sh installs it)`;

export interface Zone {
  /** Origin without the final dot. */
  name: string;
  /** Records after the SOA/NS, one per line, names relative or absolute. */
  records: string[];
  /** Sign with Knot's automatic DNSSEC signing (ECDSA P-256). */
  signed: boolean;
}

export interface DnsWorld {
  resolver: string;
  stop(): Promise<void>;
  logs(): string;
}

function knotConf(dir: string, addr: string, zones: Zone[], signing: boolean): string {
  return `server:
  listen: ${addr}@53
  rundir: ${dir}/run
log:
  - target: stderr
    any: info
database:
  storage: ${dir}/db
policy:
  - id: test
    algorithm: ecdsap256sha256
    nsec3: off
template:
  - id: default
    storage: ${dir}/zones
    zonefile-sync: 0
    zonefile-load: whole
    journal-content: none
zone:
${zones.map((z) => `  - domain: ${z.name}\n    file: ${z.name}.zone\n${z.signed && signing ? '    dnssec-signing: on\n    dnssec-policy: test\n' : ''}`).join('')}`;
}

function zoneText(z: Zone, addr: string): string {
  return [
    `$ORIGIN ${z.name}.`,
    '$TTL 60',
    `@ SOA ns.${z.name}. hostmaster.${z.name}. 1 3600 600 86400 60`,
    `@ NS ns.${z.name}.`,
    `ns A ${addr}`,
    ...z.records,
    '',
  ].join('\n');
}

async function until(what: string, ok: () => boolean, logs: () => string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms} ms\n${logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Knot serving the zones on `authAddr`:53 and a validating unbound on
 * `resolverAddr`:53 with the signed zones' KSKs as trust anchors.
 * Knot signs first (automatic signing; zonefile-sync 0 writes the signed zone
 * back to its file); `corrupt` may then rewrite a signed file (a bad RRSIG),
 * and Knot is restarted serving the files as they are, signing off.
 */
export async function startDnsWorld(dir: string, authAddr: string, resolverAddr: string, zones: Zone[], corrupt: (zone: string, text: string) => string): Promise<DnsWorld> {
  const knotd = binaryOrThrow(KNOTD.path, KNOTD.pkg, HOW('knot'));
  const unbound = binaryOrThrow(UNBOUND.path, UNBOUND.pkg, HOW('unbound'));
  for (const d of ['run', 'db', 'zones']) mkdirSync(join(dir, d), { recursive: true });
  for (const z of zones) writeFileSync(join(dir, 'zones', `${z.name}.zone`), zoneText(z, authAddr));
  const signConf = join(dir, 'knot-sign.conf');
  writeFileSync(signConf, knotConf(dir, authAddr, zones, true));
  const signer = startForeground(knotd, ['-c', signConf]);
  const file = (z: Zone) => join(dir, 'zones', `${z.name}.zone`);
  try {
    for (const z of zones.filter((x) => x.signed)) await until(`knot signing ${z.name}`, () => /\sRRSIG\s/.test(readFileSync(file(z), 'utf8')), () => signer.output());
  } finally {
    await signer.stop();
  }
  const anchors: string[] = [];
  for (const z of zones.filter((x) => x.signed)) {
    const text = readFileSync(file(z), 'utf8');
    const ksk = text.split('\n').find((l) => /\sDNSKEY\s+257\s/.test(l));
    if (!ksk) throw new Error(`no KSK in the signed ${z.name}:\n${text}`);
    // Knot dumps one record a line: owner, TTL, type, data.
    const t = ksk.trim().split(/\s+/);
    anchors.push(`${t[0]} ${t.slice(2).join(' ')}`);
    writeFileSync(file(z), corrupt(z.name, text));
  }
  const serveConf = join(dir, 'knot-serve.conf');
  writeFileSync(serveConf, knotConf(dir, authAddr, zones, false));
  const auth = startForeground(knotd, ['-c', serveConf]);
  const ubConf = join(dir, 'unbound.conf');
  writeFileSync(ubConf, `server:
  interface: ${resolverAddr}
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  val-log-level: 2
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "validator iterator"
  qname-minimisation: no
  local-zone: "test." nodefault
${anchors.map((a) => `  trust-anchor: "${a}"`).join('\n')}
${zones.filter((z) => !z.signed).map((z) => `  domain-insecure: "${z.name}"`).join('\n')}
${zones.map((z) => `stub-zone:\n  name: "${z.name}"\n  stub-addr: ${authAddr}@53\n`).join('')}`);
  const ub = startForeground(unbound, ['-d', '-c', ubConf]);
  const logs = () => `--- knot ---\n${auth.output()}\n--- unbound ---\n${ub.output()}`;
  const stop = async () => {
    await ub.stop();
    await auth.stop();
  };
  try {
    await waitForPort(authAddr, 53, 10_000);
    await waitForPort(resolverAddr, 53, 10_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logs()}`);
  }
  return { resolver: resolverAddr, stop, logs };
}
