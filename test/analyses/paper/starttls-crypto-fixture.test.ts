/*
 * The records the starttls and crypto truth tests copy (fixture/records.jsonl,
 * named in fixture/manifest.json) are records the engine produced: real
 * servers on 127.0.46.0/24 (this suite's range) scanned with the wildtls CLI,
 * default settings unless a cell says otherwise. This suite starts the same
 * servers, scans them again and checks that every named record still has the
 * shape a scan gives today (status and reason, STARTTLS, banner, TLS version,
 * suite, key exchange, completion, chain length, staple). When it does not,
 * re-record (as root, with the packages of scripts/install-test-deps.sh):
 *
 *   WILDTLS_RECORD_FIXTURE=1 npx vitest run test/analyses/paper/starttls-crypto-fixture.test.ts
 *
 * then check the populations' expected numbers still hold (the manifest says
 * what each named record is).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../../harness/daemon.js';
import { DAEMONS, requireBinaries } from '../../harness/require-binary.js';
import { runCli } from '../../cli/run-cli.js';
import { makePki } from '../../tls-engine/pki.js';
import { farmConfigYaml } from '../../real-servers/farm/farm-config.js';
import { startFarm, type Farm } from '../../real-servers/farm/start-farm.js';
import { startDovecot, type DovecotInstance } from '../../real-servers/dovecot/start-dovecot.js';
import { EXIM_BIN, EXIM_INSTALL, startExim } from '../../real-servers/smtp/exim.js';
import { startPostfix } from '../../real-servers/smtp/postfix.js';
import { writeTlsFiles } from '../../real-servers/smtp/tls-files.js';

const OUT = fileURLToPath(new URL('./fixture/', import.meta.url));
const RECORD = process.env.WILDTLS_RECORD_FIXTURE === '1';
const OPENSSL = '/usr/bin/openssl';
const GNUTLS_SERV = '/usr/bin/gnutls-serv';
const FARM_AT = { postfix: '127.0.46.1', dovecot: '127.0.46.2', prosody: '127.0.46.3', inspircd: '127.0.46.4', nginx: '127.0.46.5' };
const SSL_PORT = 4433;

interface Named {
  name: string;
  ip: string;
  port: number;
  service: string;
  what: string;
}

/** openssl s_server cells: implicit TLS (service tls) on 127.0.46.<ip>:4433, leaf then the test CA sent. */
const S_SERVER: Array<{ name: string; ip: string; args: string[]; what: string }> = [
  { name: 'sserver-dhe2048-ocsp', ip: '127.0.46.10', args: ['-no_tls1_3', '-dhparam', 'dh2048.pem', '-cipher', 'DHE-RSA-AES256-GCM-SHA384', '-status_file', 'ocsp.der'], what: 'TLS 1.2 DHE-RSA AES-256-GCM, 2048-bit group, stapling an OCSP response' },
  { name: 'sserver-dhe1024-tls10', ip: '127.0.46.11', args: ['-tls1', '-dhparam', 'dh1024.pem', '-cipher', 'DHE-RSA-AES128-SHA:@SECLEVEL=0'], what: 'TLS 1.0 only, DHE-RSA AES-128-CBC, 1024-bit group' },
  { name: 'sserver-rsa-gcm', ip: '127.0.46.13', args: ['-no_tls1_3', '-cipher', 'AES128-GCM-SHA256'], what: 'TLS 1.2 RSA key transport, AES-128-GCM' },
  { name: 'sserver-ecdhe-tls11', ip: '127.0.46.14', args: ['-tls1_1', '-cipher', 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0'], what: 'TLS 1.1 only, ECDHE-RSA AES-128-CBC' },
  { name: 'sserver-ecdhe-p384', ip: '127.0.46.15', args: ['-no_tls1_3', '-groups', 'secp384r1', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384'], what: 'TLS 1.2 ECDHE-RSA on secp384r1, AES-256-GCM' },
  { name: 'sserver-chacha', ip: '127.0.46.16', args: ['-no_tls1_3', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'], what: 'TLS 1.2 ECDHE-RSA ChaCha20-Poly1305' },
  { name: 'sserver-tls13', ip: '127.0.46.17', args: [], what: 'OpenSSL 3 defaults: TLS 1.3' },
  { name: 'sserver-camellia', ip: '127.0.46.18', args: ['-no_tls1_3', '-cipher', 'CAMELLIA128-SHA:@SECLEVEL=0'], what: 'TLS 1.2 RSA key transport, Camellia-128 (completed)' },
  { name: 'sserver-seed', ip: '127.0.46.19', args: ['-provider', 'legacy', '-provider', 'default', '-no_tls1_3', '-cipher', 'SEED-SHA:@SECLEVEL=0'], what: 'TLS 1.2 RSA SEED from the legacy provider (tls-unsupported: the scanning process has no legacy provider)' },
];

/** Servers only a scan offering weak suites reaches (profile "weak" below): NULL, anonymous DH. Debian's OpenSSL 3 has no single DES or export suites, GnuTLS neither. */
const S_SERVER_WEAK: typeof S_SERVER = [
  { name: 'sserver-null', ip: '127.0.46.20', args: ['-no_tls1_3', '-cipher', 'NULL-SHA256:@SECLEVEL=0'], what: 'TLS 1.2 RSA NULL-SHA256, scanned with a profile offering it (tls-unsupported)' },
  { name: 'sserver-anon', ip: '127.0.46.22', args: ['-no_tls1_3', '-nocert', '-dhparam', 'dh2048.pem', '-cipher', 'ADH-AES128-SHA:@SECLEVEL=0'], what: 'TLS 1.2 anonymous DH AES-128-CBC, no certificate, scanned with a profile offering it (tls-unsupported)' },
];

const WEAK_PROFILE = ['TLS_RSA_WITH_NULL_SHA256', 'TLS_DH_anon_WITH_AES_128_CBC_SHA', 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV'];

/** gnutls-serv (listens on every address: ports of their own), dialled on 127.0.46.30. */
const base = '+COMP-NULL:+SIGN-ALL:+GROUP-ALL';
const GNUTLS: Array<{ name: string; port: number; priority: string; what: string }> = [
  { name: 'gnutls-rc4-rsa', port: 24646, priority: `NONE:+VERS-TLS1.2:+ARCFOUR-128:+SHA1:+RSA:${base}`, what: 'TLS 1.2 RSA key transport, RC4-128' },
  { name: 'gnutls-rc4-ecdhe', port: 24647, priority: `NONE:+VERS-TLS1.0:+ARCFOUR-128:+SHA1:+ECDHE-RSA:${base}`, what: 'TLS 1.0 ECDHE-RSA, RC4-128' },
  { name: 'gnutls-3des-rsa', port: 24648, priority: `NONE:+VERS-TLS1.1:+3DES-CBC:+SHA1:+RSA:${base}`, what: 'TLS 1.1 RSA key transport, 3DES' },
  // OpenSSL 3 refuses a group under 1024 bits at any security level; GnuTLS serves one from --dhparams.
  { name: 'gnutls-dhe768', port: 24649, priority: `NONE:+VERS-TLS1.2:+AES-128-CBC:+SHA1:+DHE-RSA:${base}:%PROFILE_VERY_WEAK`, what: 'TLS 1.2 DHE-RSA AES-128-CBC, 768-bit group (--dhparams)' },
];
const GNUTLS_IP = '127.0.46.30';

/** Hosts that accept and then do what real-world noise does; node listeners on their own address. */
const LISTENERS: Array<{ name: string; ip: string; port: number; service: string; on: (s: Socket) => void; what: string }> = [
  { name: 'silent-smtp', ip: '127.0.46.40', port: 25, service: 'smtp', on: () => {}, what: 'accepts, never sends a byte' },
  { name: 'close-smtp', ip: '127.0.46.41', port: 25, service: 'smtp', on: (s) => s.end(), what: 'accepts and closes at once' },
  { name: 'reset-smtp', ip: '127.0.46.42', port: 25, service: 'smtp', on: (s) => s.resetAndDestroy(), what: 'accepts and resets at once' },
  { name: 'banner-only-smtp', ip: '127.0.46.43', port: 25, service: 'smtp', on: (s) => s.write('220 mx.example ESMTP\r\n'), what: 'sends a 220 banner, then nothing' },
  { name: 'silent-tls', ip: '127.0.46.44', port: SSL_PORT, service: 'tls', on: () => {}, what: 'accepts, never answers the ClientHello' },
  { name: 'close-tls', ip: '127.0.46.45', port: SSL_PORT, service: 'tls', on: (s) => s.end(), what: 'accepts and closes at once' },
];
const REFUSED = '127.0.46.46';

const ready = requireBinaries([
  DAEMONS.openssl, DAEMONS.postfix, DAEMONS.dovecot, DAEMONS.dovecotImap, DAEMONS.dovecotPop3, DAEMONS.prosody, DAEMONS.inspircd, DAEMONS.nginx,
  { path: GNUTLS_SERV, pkg: 'gnutls-bin' },
  { path: EXIM_BIN, pkg: 'exim4-daemon-light', how: EXIM_INSTALL },
]);
const daemons: Daemon[] = [];
const servers: Server[] = [];
const sockets = new Set<Socket>();
let farm: Farm | undefined;
let dovecot: DovecotInstance | undefined;
let dir = '';
let named: Named[] = [];
let fresh: Rec[] = [];

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await Promise.all(daemons.map((d) => d.stop()));
  await dovecot?.stop();
  await farm?.stop();
  if (dir) removeDir(dir);
});

type Rec = { ip: string; port: number; service: string } & Record<string, unknown>;
const readJsonl = (file: string): Rec[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
const SHORT = ['--set', 'scan.timeout.connect=2000', '--set', 'scan.timeout.read=3000', '--set', 'scan.timeout.probe=10000', '--set', 'scan.connectRetries=0', '--progress', 'off', '--allow', '127.0.0.0/8'];

async function scan(name: string, args: string[]): Promise<Rec[]> {
  const out = join(dir, `${name}.jsonl`);
  const r = await runCli(['scan', ...args, '--output', out], { cwd: dir, timeoutMs: 180_000 });
  expect(r.code, r.stderr).toBe(0);
  return readJsonl(out);
}

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('paper-fixture');
  const pki = makePki(dir);
  execFileSync(OPENSSL, ['dhparam', '-out', 'dh768.pem', '768'], { cwd: dir, stdio: 'ignore' });
  const records: Rec[] = [];
  const keep = (list: Rec[], n: Omit<Named, 'ip' | 'port' | 'service'> & Partial<Named>, match: (r: Rec) => boolean) => {
    const r = list.find(match);
    expect(r, n.name).toBeDefined();
    named.push({ name: n.name, ip: r!.ip, port: r!.port, service: r!.service, what: n.what });
    records.push(r!);
  };

  // 1. The loopback farm, scanned as the farm test does: every service on every address.
  farm = await startFarm(FARM_AT);
  writeFileSync(join(dir, 'farm.yaml'), farmConfigYaml(farm));
  const farmRecs = await scan('farm', ['--config', join(dir, 'farm.yaml')]);
  const daemonOf = Object.fromEntries(Object.entries(FARM_AT).map(([k, v]) => [v, k]));
  for (const s of farm.served) keep(farmRecs, { name: `${daemonOf[s.ip]}-${s.service}`, what: `${daemonOf[s.ip]} serving ${s.service} (${s.mode}), default settings` }, (r) => r.ip === s.ip && r.port === s.port && r.service === s.service);
  keep(farmRecs, { name: 'postfix-pop3-on-25', what: 'POP3 spoken to Postfix on port 25' }, (r) => r.ip === FARM_AT.postfix && r.port === 25 && r.service === 'pop3');

  // 2. Mail servers without TLS (STARTTLS not offered), Postfix whose TLS files are missing (it accepts
  // STARTTLS, then fails the handshake), Exim whose TLS files are missing (it refuses STARTTLS: 454).
  const files = await writeTlsFiles(dir, 'mx.refuse.wildtls.test');
  dovecot = await startDovecot({ ip: '127.0.46.8', ssl: false, disablePlaintextAuth: false, mechanisms: ['plain', 'login'] });
  daemons.push(await startPostfix(dir, {
    bundleFile: files.bundleFile,
    saslSocket: join(dir, 'no-sasl'),
    services: [
      '127.0.46.6:25 inet n - n - - smtpd -o smtpd_tls_security_level=none',
      `127.0.46.7:25 inet n - n - - smtpd -o smtpd_tls_chain_files=${join(dir, 'missing.pem')}`,
    ],
    listens: [{ host: '127.0.46.6', port: 25 }, { host: '127.0.46.7', port: 25 }],
  }));
  daemons.push(await startExim(dir, { name: 'nocert', host: '127.0.46.9', ports: [25], certFile: join(dir, 'missing-cert.pem'), keyFile: join(dir, 'missing-key.pem') }));
  const mail = await scan('mail', ['127.0.46.6', '127.0.46.7', '127.0.46.9', '--protocol', 'smtp', ...SHORT]);
  keep(mail, { name: 'postfix-no-tls-smtp', what: 'Postfix with smtpd_tls_security_level=none: no STARTTLS offered' }, (r) => r.ip === '127.0.46.6');
  keep(mail, { name: 'postfix-broken-tls-smtp', what: 'Postfix whose certificate file is missing: STARTTLS accepted, handshake failed' }, (r) => r.ip === '127.0.46.7');
  keep(mail, { name: 'exim-no-cert-smtp', what: 'Exim whose certificate files are missing: STARTTLS refused (454)' }, (r) => r.ip === '127.0.46.9');
  const dove = await scan('dovecot-plain', ['127.0.46.8', '--protocol', 'imap', '--port', String(dovecot.ports.imap), ...SHORT]);
  keep(dove, { name: 'dovecot-no-tls-imap', what: 'Dovecot with ssl = no: no STARTTLS capability' }, () => true);

  // 3. openssl s_server cells (implicit TLS, service tls), default settings; the weak ones with a profile offering them.
  const start = (c: (typeof S_SERVER)[number]) => daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `${c.ip}:${SSL_PORT}`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-cert_chain', 'ca.crt', '-www', '-quiet', ...c.args], { cwd: pki.dir }));
  [...S_SERVER, ...S_SERVER_WEAK].forEach(start);
  await Promise.all([...S_SERVER, ...S_SERVER_WEAK].map((c) => waitForPort(c.ip, SSL_PORT)));
  const tls = await scan('sserver', [...S_SERVER.map((c) => c.ip), '--protocol', 'tls', '--port', String(SSL_PORT), ...SHORT]);
  for (const c of S_SERVER) keep(tls, c, (r) => r.ip === c.ip);
  writeFileSync(join(dir, 'weak.yaml'), ['tls:', '  profile: weak', '  profiles:', '    weak:', '      extends: compat', `      cipherSuites: [${WEAK_PROFILE.join(', ')}]`, ''].join('\n'));
  const weak = await scan('weak', ['--config', join(dir, 'weak.yaml'), ...S_SERVER_WEAK.map((c) => c.ip), '--protocol', 'tls', '--port', String(SSL_PORT), '--fallback', 'none', ...SHORT]);
  for (const c of S_SERVER_WEAK) keep(weak, c, (r) => r.ip === c.ip);

  // 4. gnutls-serv: RC4 and 3DES (Debian's OpenSSL 3 has neither).
  for (const g of GNUTLS) daemons.push(startForeground(GNUTLS_SERV, ['--http', '-q', '-a', '--port', String(g.port), '--x509certfile', 'rsa-chain.crt', '--x509keyfile', 'rsa.key', '--dhparams', 'dh768.pem', '--priority', g.priority], { cwd: pki.dir }));
  await Promise.all(GNUTLS.map((g) => waitForPort(GNUTLS_IP, g.port)));
  for (const g of GNUTLS) {
    const recs = await scan(g.name, [GNUTLS_IP, '--protocol', 'tls', '--port', String(g.port), ...SHORT]);
    keep(recs, g, () => true);
  }

  // 5. Hosts that accept the connection and never speak, close, reset, or stop after a banner; a closed port.
  for (const l of LISTENERS) {
    const srv = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      l.on(s);
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(l.port, l.ip, r));
  }
  for (const service of ['smtp', 'tls']) {
    const mine = LISTENERS.filter((l) => l.service === service);
    const port = service === 'smtp' ? 25 : SSL_PORT;
    const recs = await scan(`noise-${service}`, [...mine.map((l) => l.ip), REFUSED, '--protocol', service, '--port', String(port), ...SHORT]);
    for (const l of mine) keep(recs, l, (r) => r.ip === l.ip);
    keep(recs, { name: `refused-${service}`, what: 'nothing listens: connection refused' }, (r) => r.ip === REFUSED);
  }

  fresh = records;
  if (!RECORD) return;
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'records.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(OUT, 'manifest.json'), JSON.stringify({
    made: 'WILDTLS_RECORD_FIXTURE=1 npx vitest run test/analyses/paper/starttls-crypto-fixture.test.ts',
    records: named,
  }, null, 2) + '\n');
}, 600_000);

type Committed = { named: Named[]; records: Rec[] };
function committed(): Committed {
  const manifest = JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as { records: Named[] };
  return { named: manifest.records, records: readJsonl(join(OUT, 'records.jsonl')) };
}

/** What the truth tests rely on, as a scan gives it (addresses and times left out: kernel-chosen ports vary). */
function shape(r: Rec) {
  const tls = r.tls as Record<string, any> | undefined;
  const st = r.starttls as { offered: boolean; upgraded: boolean } | undefined;
  return {
    service: r.service,
    mode: r.mode,
    status: r.status,
    reason: (r.error as { reason?: string } | undefined)?.reason,
    banner: r.banner !== undefined,
    starttls: st && { offered: st.offered, upgraded: st.upgraded },
    tls: tls && {
      version: tls.version,
      suite: tls.cipherSuite?.name,
      kx: tls.keyExchange,
      completed: tls.completed,
      notCompleted: typeof tls.notCompletedReason === 'string',
      error: tls.error?.kind,
      chain: tls.chain?.length,
      stapled: tls.ocspStapled,
    },
  };
}

describe.runIf(ready)('fixture/records.jsonl is what a scan of its servers gives today', () => {
  it('every named record comes out of a fresh scan with the same shape', () => {
    const c = committed();
    const byName = (n: Named[], recs: Rec[]) => Object.fromEntries(n.map((x) => [x.name, shape(recs.find((r) => r.ip === x.ip && r.port === x.port && r.service === x.service)!)]));
    expect(byName(named, fresh)).toEqual(byName(c.named, c.records));
  });

  it('the manifest names every record once', () => {
    const c = committed();
    expect(new Set(c.named.map((n) => n.name)).size).toBe(c.records.length);
  });
});
