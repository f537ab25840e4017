#!/usr/bin/env node
// Capture real IMAP and POP3 exchanges with Dovecot as replayable fixtures for
// the plugins' transcript tests (plugins/protocol-{imap,pop3}/test/fixtures).
// The client sends exactly the commands the wildtls dialogs send, and records
// the server's bytes verbatim. Run once, as root, with Dovecot installed:
//   node test/real-servers/dovecot/capture-transcripts.mjs
// It binds only 127.0.11.20 and stops the daemon it started by pid.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { dovecotConfig } from './dovecot-config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const IP = '127.0.11.20';
const ports = { imap: 20143, imaps: 20993, pop3: 20110, pop3s: 20995 };

const dir = mkdtempSync(join(tmpdir(), 'wildtls-capture-'));
chmodSync(dir, 0o755);
mkdirSync(join(dir, 'home'));
writeFileSync(join(dir, 'passwd'), 'scanner-test:{PLAIN}not-a-real-password\n');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=mail.wildtls.test', '-days', '1'], { stdio: 'ignore' });
const settings = { dir, ip: IP, ports, ssl: true, disablePlaintextAuth: true, mechanisms: ['cram-md5', 'plain', 'login'] };
writeFileSync(join(dir, 'dovecot.conf'), dovecotConfig(settings));
const daemon = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
const version = execFileSync('/usr/sbin/dovecot', ['--version']).toString().trim();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A socket wrapper that reads until a reply is complete, with a deadline. */
function reader(sock) {
  let buf = '';
  let wake;
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    wake?.();
  });
  return {
    async until(done, ms = 3000) {
      const deadline = Date.now() + ms;
      while (!done(buf)) {
        if (Date.now() > deadline) throw new Error(`no complete reply; got ${JSON.stringify(buf)}`);
        await Promise.race([new Promise((r) => (wake = r)), sleep(50)]);
      }
      const out = buf;
      buf = '';
      return out;
    },
    detach() {
      sock.removeAllListeners('data');
    },
  };
}

const lines = (s) => s.split('\r\n').filter((l) => l !== '');
const imapDone = (tag) => (s) => lines(s).some((l) => l.startsWith(`${tag} `)) && s.endsWith('\r\n');
const greetingDone = (s) => s.endsWith('\r\n');
const pop3Multi = (s) => s.startsWith('-ERR') ? s.endsWith('\r\n') : s.endsWith('\r\n.\r\n');

async function openPlain(port) {
  const s = connect({ host: IP, port });
  await new Promise((res, rej) => s.once('connect', res).once('error', rej));
  return s;
}
async function upgrade(sock) {
  const t = tlsConnect({ socket: sock, rejectUnauthorized: false, servername: 'mail.wildtls.test' });
  await new Promise((res, rej) => t.once('secureConnect', res).once('error', rej));
  return t;
}

/** Run one exchange: `plan` is a list of [command, completion] after the greeting; 'TLS' upgrades. */
async function capture(port, implicit, plan) {
  let sock = await openPlain(port);
  if (implicit) sock = await upgrade(sock);
  let r = reader(sock);
  const steps = [{ send: await r.until(greetingDone) }];
  for (const [cmd, done] of plan) {
    if (cmd === 'TLS') {
      r.detach();
      sock = await upgrade(sock);
      r = reader(sock);
      steps.push({ startTls: true });
      continue;
    }
    sock.write(`${cmd}\r\n`);
    steps.push({ expect: cmd });
    steps.push({ send: await r.until(done) });
  }
  steps.push({ close: true });
  sock.destroy();
  return steps;
}

function save(plugin, name, service, description, steps) {
  const file = join(root, 'plugins', plugin, 'test', 'fixtures', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const doc = {
    description,
    source: `${version}, Debian 12 package, config from test/real-servers/dovecot/dovecot-config.mjs (disable_plaintext_auth = yes, auth_mechanisms = cram-md5 plain login)`,
    capturedWith: 'test/real-servers/dovecot/capture-transcripts.mjs',
    service,
    steps,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  console.log('wrote', file);
}

try {
  for (let i = 0; i < 100; i++) {
    try {
      (await openPlain(ports.pop3s)).destroy();
      break;
    } catch {
      await sleep(100);
    }
  }
  save('protocol-imap', 'dovecot-imap-starttls', 'imap', 'IMAP on 143: capabilities from the greeting, STARTTLS, CAPABILITY after TLS, LOGOUT',
    await capture(ports.imap, false, [['W001 STARTTLS', imapDone('W001')], ['TLS'], ['W002 CAPABILITY', imapDone('W002')], ['W003 LOGOUT', imapDone('W003')]]));
  save('protocol-imap', 'dovecot-imap-starttls-ask', 'imap', 'IMAP on 143 with alwaysAskCapability: CAPABILITY, STARTTLS, CAPABILITY, LOGOUT',
    await capture(ports.imap, false, [['W001 CAPABILITY', imapDone('W001')], ['W002 STARTTLS', imapDone('W002')], ['TLS'], ['W003 CAPABILITY', imapDone('W003')], ['W004 LOGOUT', imapDone('W004')]]));
  save('protocol-imap', 'dovecot-imaps', 'imaps', 'IMAPS on 993: greeting after the handshake, LOGOUT (greeting carries the capabilities)',
    await capture(ports.imaps, true, [['W001 LOGOUT', imapDone('W001')]]));
  save('protocol-pop3', 'dovecot-pop3-stls', 'pop3', 'POP3 on 110: CAPA, STLS, CAPA after TLS, QUIT',
    await capture(ports.pop3, false, [['CAPA', pop3Multi], ['STLS', greetingDone], ['TLS'], ['CAPA', pop3Multi], ['QUIT', greetingDone]]));
  save('protocol-pop3', 'dovecot-pop3s', 'pop3s', 'POP3S on 995: greeting after the handshake, CAPA, QUIT',
    await capture(ports.pop3s, true, [['CAPA', pop3Multi], ['QUIT', greetingDone]]));
} finally {
  if (daemon.pid) process.kill(daemon.pid, 'SIGTERM');
  await sleep(500);
  rmSync(dir, { recursive: true, force: true });
}
