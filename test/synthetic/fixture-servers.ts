/**
 * Starts every server of fixture-cells.ts on 127.0.49.0/24, scans each with
 * the wildtls CLI (default settings unless a cell says otherwise) and returns
 * the named records: what fixture-scan.test.ts compares with, or writes as,
 * the committed fixture library. stop() ends every daemon by pid.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { certificateChain } from '@wildtls/core/testing';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { runCli } from '../cli/run-cli.js';
import { makePki } from '../tls-engine/pki.js';
import { farmConfigYaml } from '../real-servers/farm/farm-config.js';
import { startFarm, type Farm } from '../real-servers/farm/start-farm.js';
import { startDovecot, type DovecotInstance } from '../real-servers/dovecot/start-dovecot.js';
import { startNginx } from '../real-servers/nginx/start-nginx.js';
import { startDovecotAuth } from '../real-servers/smtp/dovecot-auth.js';
import { startExim } from '../real-servers/smtp/exim.js';
import { startPostfix } from '../real-servers/smtp/postfix.js';
import { writeTlsFiles } from '../real-servers/smtp/tls-files.js';
import { EXIM_NO_CERT, FARM_AT, NGINX_RSA, GNUTLS, GNUTLS_IP, LISTENERS, OBSERVE, PLAIN_DOVECOT, POSTFIX_CELLS, REFUSED, SSL_PORT, S_SERVER, S_SERVER_WEAK, WEAK_PROFILE } from './fixture-cells.js';
import { listenOn } from '../harness/listen.js';

export const OPENSSL = '/usr/bin/openssl';
export const GNUTLS_SERV = '/usr/bin/gnutls-serv';

export type Rec = { ip: string; port: number; service: string } & Record<string, unknown>;
export interface Named {
  name: string;
  ip: string;
  port: number;
  service: string;
  what: string;
}
export interface Scanned {
  named: Named[];
  records: Rec[];
  logs(): string;
  stop(): Promise<void>;
}

const SHORT = ['--set', 'scan.timeout.connect=2000', '--set', 'scan.timeout.read=3000', '--set', 'scan.timeout.probe=10000', '--set', 'scan.connectRetries=0', '--progress', 'off', '--allow', '127.0.0.0/8'];
const readJsonl = (file: string): Rec[] => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

export async function scanFixtureServers(): Promise<Scanned> {
  const dir = tempDir('synthetic-fixture');
  const daemons: Daemon[] = [];
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let farm: Farm | undefined;
  let dovecot: DovecotInstance | undefined;
  const stop = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await Promise.all(daemons.map((d) => d.stop()));
    await dovecot?.stop();
    await farm?.stop();
    removeDir(dir);
  };
  const logs = () => [farm?.logs() ?? '', ...daemons.map((d) => d.output())].join('\n');
  const named: Named[] = [];
  const records: Rec[] = [];
  const keep = (list: Rec[], n: { name: string; what: string }, match: (r: Rec) => boolean) => {
    const r = list.find(match);
    if (!r) throw new Error(`fixture: the scan gave no record for ${n.name}\n${JSON.stringify(list).slice(0, 2000)}`);
    named.push({ name: n.name, ip: r.ip, port: r.port, service: r.service, what: n.what });
    records.push(r);
  };
  const scan = async (name: string, args: string[]): Promise<Rec[]> => {
    const out = join(dir, `${name}.jsonl`);
    const r = await runCli(['scan', ...args, '--output', out], { cwd: dir, timeoutMs: 180_000 });
    if (r.code !== 0) throw new Error(`wildtls scan (${name}) exited ${r.code}: ${r.stderr}`);
    return readJsonl(out);
  };

  try {
    const pki = makePki(dir);
    execFileSync(OPENSSL, ['dhparam', '-out', 'dh768.pem', '768'], { cwd: dir, stdio: 'ignore' });

    // 1. The loopback farm, scanned as the farm test does: every service on every address.
    farm = await startFarm(FARM_AT);
    writeFileSync(join(dir, 'farm.yaml'), farmConfigYaml(farm));
    const farmRecs = await scan('farm', ['--config', join(dir, 'farm.yaml')]);
    const daemonOf = Object.fromEntries(Object.entries(FARM_AT).map(([k, v]) => [v, k]));
    for (const s of farm.served) keep(farmRecs, { name: `${daemonOf[s.ip]}-${s.service}`, what: `${daemonOf[s.ip]} serving ${s.service} (${s.mode}), default settings` }, (r) => r.ip === s.ip && r.port === s.port && r.service === s.service);
    keep(farmRecs, { name: 'postfix-pop3-on-25', what: 'POP3 spoken to Postfix on port 25' }, (r) => r.ip === FARM_AT.postfix && r.port === 25 && r.service === 'pop3');

    // 2. Mail servers: Postfix cells (no TLS, a missing certificate, other TLS settings), Exim whose TLS
    // files are missing (it refuses STARTTLS: 454), Dovecot without TLS.
    const files = await writeTlsFiles(dir, 'mx.cells.wildtls.test');
    const auth = await startDovecotAuth(dir, ['PLAIN', 'LOGIN']);
    daemons.push(auth.daemon);
    const subst = (o: string) => o.replace('MISSING', join(dir, 'missing.pem')).replace('DH1024', join(pki.dir, 'dh1024.pem')).replace('DH2048', join(pki.dir, 'dh2048.pem'));
    daemons.push(await startPostfix(dir, {
      bundleFile: files.bundleFile,
      saslSocket: auth.socket,
      services: POSTFIX_CELLS.map((c) => `${c.ip}:25 inet n - n - - smtpd ${c.options.map((o) => `-o ${subst(o)}`).join(' ')}`),
      listens: POSTFIX_CELLS.map((c) => ({ host: c.ip, port: 25 })),
    }));
    daemons.push(await startExim(dir, { name: 'nocert', host: EXIM_NO_CERT, ports: [25], certFile: join(dir, 'missing-cert.pem'), keyFile: join(dir, 'missing-key.pem') }));
    dovecot = await startDovecot({ ip: PLAIN_DOVECOT, ssl: false, disablePlaintextAuth: false, mechanisms: ['plain', 'login'] });
    const mail = await scan('mail', [...POSTFIX_CELLS.map((c) => c.ip), EXIM_NO_CERT, '--protocol', 'smtp', ...SHORT]);
    for (const c of POSTFIX_CELLS) keep(mail, c, (r) => r.ip === c.ip);
    keep(mail, { name: 'exim-no-cert-smtp', what: 'Exim whose certificate files are missing: STARTTLS refused (454)' }, (r) => r.ip === EXIM_NO_CERT);
    const imap = await scan('dovecot-imap', [PLAIN_DOVECOT, '--protocol', 'imap', '--port', String(dovecot.ports.imap), ...SHORT]);
    keep(imap, { name: 'dovecot-no-tls-imap', what: 'Dovecot with ssl = no: no STARTTLS capability, AUTH=PLAIN AUTH=LOGIN in the clear' }, () => true);
    const pop3 = await scan('dovecot-pop3', [PLAIN_DOVECOT, '--protocol', 'pop3', '--port', String(dovecot.ports.pop3), ...SHORT]);
    keep(pop3, { name: 'dovecot-no-tls-pop3', what: 'Dovecot with ssl = no: no STLS, SASL PLAIN LOGIN in the clear' }, () => true);

    const rsaWww = await certificateChain({ leafName: 'www.cells.wildtls.test' });
    daemons.push(await startNginx([rsaWww.leaf.certPem, rsaWww.intermediate.certPem].map((p) => p.trim() + '\n').join(''), rsaWww.leaf.keyPem, [{ ip: NGINX_RSA.ip, port: 443, serverName: 'www.cells.wildtls.test', protocols: 'TLSv1.2 TLSv1.3', status: 200 }]));
    keep(await scan(NGINX_RSA.name, [NGINX_RSA.ip, '--protocol', 'https', '--port', '443', ...SHORT]), NGINX_RSA, () => true);

    // 3. openssl s_server cells, default settings; the weak ones with a profile offering them.
    const cells = [...S_SERVER, ...S_SERVER_WEAK];
    for (const c of cells) daemons.push(startForeground(OPENSSL, ['s_server', '-accept', `${c.ip}:${SSL_PORT}`, '-cert', 'rsa.crt', '-key', 'rsa.key', '-cert_chain', 'ca.crt', '-www', '-quiet', ...c.args], { cwd: pki.dir }));
    await Promise.all(cells.map((c) => waitForPort(c.ip, SSL_PORT)));
    const tls = await scan('sserver', [...S_SERVER.map((c) => c.ip), '--protocol', 'tls', '--port', String(SSL_PORT), ...SHORT]);
    for (const c of S_SERVER) keep(tls, c, (r) => r.ip === c.ip);
    writeFileSync(join(dir, 'weak.yaml'), ['tls:', '  profile: weak', '  profiles:', '    weak:', '      extends: compat', `      cipherSuites: [${WEAK_PROFILE.join(', ')}]`, ''].join('\n'));
    const weak = await scan('weak', ['--config', join(dir, 'weak.yaml'), ...S_SERVER_WEAK.map((c) => c.ip), '--protocol', 'tls', '--port', String(SSL_PORT), '--fallback', 'none', ...SHORT]);
    for (const c of S_SERVER_WEAK) keep(weak, c, (r) => r.ip === c.ip);

    // 4. Observe-only scans of a STARTTLS and an implicit-TLS server.
    for (const o of OBSERVE) {
      const recs = await scan(o.name, [o.ip, '--protocol', o.protocol, '--port', String(o.port), '--observe-only', ...SHORT]);
      keep(recs, o, () => true);
    }

    // 5. gnutls-serv: RC4 and 3DES (Debian's OpenSSL 3 has neither), a 768-bit DH group.
    for (const g of GNUTLS) daemons.push(startForeground(GNUTLS_SERV, ['--http', '-q', '-a', '--port', String(g.port), '--x509certfile', 'rsa-chain.crt', '--x509keyfile', 'rsa.key', '--dhparams', join(dir, 'dh768.pem'), '--priority', g.priority], { cwd: pki.dir }));
    await Promise.all(GNUTLS.map((g) => waitForPort(GNUTLS_IP, g.port)));
    for (const g of GNUTLS) keep(await scan(g.name, [GNUTLS_IP, '--protocol', 'tls', '--port', String(g.port), ...SHORT]), g, () => true);

    // 6. Hosts that accept the connection and never speak, close, reset, or stop after a banner; a closed port.
    for (const l of LISTENERS) {
      const srv = createServer((s) => {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
        if (l.behaviour === 'close') s.end();
        else if (l.behaviour === 'reset') s.resetAndDestroy();
        else if (l.behaviour === 'banner') s.write('220 mx.example ESMTP\r\n');
      });
      servers.push(srv);
      await listenOn(srv, l.port, l.ip);
    }
    for (const service of ['smtp', 'tls']) {
      const mine = LISTENERS.filter((l) => l.service === service);
      const port = service === 'smtp' ? 25 : SSL_PORT;
      const recs = await scan(`noise-${service}`, [...mine.map((l) => l.ip), REFUSED, '--protocol', service, '--port', String(port), ...SHORT]);
      for (const l of mine) keep(recs, l, (r) => r.ip === l.ip);
      keep(recs, { name: `refused-${service}`, what: 'nothing listens: connection refused' }, (r) => r.ip === REFUSED);
    }
    return { named, records, logs, stop };
  } catch (err) {
    const out = logs();
    await stop();
    throw new Error(`${(err as Error).message}\n${out.slice(-4000)}`);
  }
}
