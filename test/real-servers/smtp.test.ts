import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '@wildtls/protocol-smtp';
import { runDialogAgainst } from '@wildtls/core/testing';
import { NodeTlsEngine, RawTlsEngine, type ProbeRecord } from '@wildtls/core';
import { removeDir, tempDir, type Daemon } from '../harness/daemon.js';
import { startDovecotAuth } from './smtp/dovecot-auth.js';
import { DAEMONS, requireBinaries } from '../harness/require-binary.js';
import { EXIM_BIN, EXIM_INSTALL, startExim } from './smtp/exim.js';
import { POSTFIX_INSTALL, startPostfix } from './smtp/postfix.js';
import { recordSmtpTranscript, type Transcript } from './smtp/record-transcript.js';
import { writeTlsFiles, type TlsFiles } from './smtp/tls-files.js';

/**
 * The SMTP plugin against real Postfix (SASL through Dovecot) and Exim on
 * 127.0.10.0/24. Each case asserts what that server was configured to offer.
 */
const PF = '127.0.10.1'; // Postfix: 25 STARTTLS, 587 AUTH only after TLS, 465 implicit TLS 1.2
const PF2 = '127.0.10.2'; // Postfix: 25 without TLS, 587 AUTH before and after TLS
const EXIM = '127.0.10.3'; // Exim: 25 STARTTLS, 465 implicit
const EXIM_NOCERT = '127.0.10.4'; // Exim whose certificate files are missing

const fixture = (name: string) => fileURLToPath(new URL(`../../plugins/protocol-smtp/test/fixtures/${name}`, import.meta.url));

const service = (name: string) => plugin.services.find((s) => s.name === name)!;
// Default: runDialogAgainst's engine. WILDTLS_TEST_ENGINE=raw|node picks one explicitly; the assertions hold for both.
const engine = process.env.WILDTLS_TEST_ENGINE === 'raw' ? new RawTlsEngine() : process.env.WILDTLS_TEST_ENGINE === 'node' ? new NodeTlsEngine() : undefined;
const probe = (host: string, port: number, name: string): Promise<ProbeRecord> =>
  runDialogAgainst({ host, port, spec: service(name), protocolId: plugin.id, options: {}, readTimeoutMs: 5000, probeTimeoutMs: 15_000, ...(engine ? { engine } : {}) });
const b64 = (der: Buffer) => der.toString('base64');

// Postfix's EHLO extensions for this config, in its order.
const POSTFIX_EXT = ['PIPELINING', 'SIZE 10240000', 'VRFY', 'ETRN'];
const POSTFIX_TAIL = ['ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING'];

let dir = '';
let logs = (): string => '';
let pfTls: TlsFiles;
let eximTls: TlsFiles;
const daemons: Daemon[] = [];

const ready = requireBinaries([
  { ...DAEMONS.postfix, how: POSTFIX_INSTALL },
  DAEMONS.dovecot,
  { path: EXIM_BIN, pkg: 'exim4-daemon-light', how: EXIM_INSTALL },
]);

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir('smtp');
  pfTls = await writeTlsFiles(dir, 'mx.wildtls.test');
  eximTls = await writeTlsFiles(dir, 'exim.wildtls.test');
  const auth = await startDovecotAuth(dir, ['PLAIN', 'LOGIN']);
  daemons.push(auth.daemon);
  const sasl = '-o smtpd_sasl_auth_enable=yes -o broken_sasl_auth_clients=yes';
  const tls12 = '-o smtpd_tls_mandatory_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1.1,!TLSv1.3 -o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1.1,!TLSv1.3';
  const postfix = await startPostfix(dir, {
    bundleFile: pfTls.bundleFile,
    saslSocket: auth.socket,
    services: [
      `${PF}:25 inet n - n - - smtpd`,
      `${PF}:587 inet n - n - - smtpd ${sasl} -o smtpd_tls_auth_only=yes`,
      `${PF}:465 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes ${sasl} ${tls12}`,
      `${PF2}:25 inet n - n - - smtpd -o smtpd_tls_security_level=none`,
      `${PF2}:587 inet n - n - - smtpd ${sasl} -o smtpd_tls_auth_only=no`,
    ],
    listens: [PF, PF2].flatMap((host) => [25, 587].map((port) => ({ host, port }))).concat({ host: PF, port: 465 }),
  });
  daemons.push(postfix);
  logs = () => daemons.map((d) => d.output()).join('\n');
  daemons.push(await startExim(dir, { name: 'ok', host: EXIM, ports: [25, 465], implicitPorts: [465], certFile: eximTls.chainFile, keyFile: eximTls.keyFile }));
  daemons.push(await startExim(dir, { name: 'nocert', host: EXIM_NOCERT, ports: [25], certFile: join(dir, 'missing-cert.pem'), keyFile: join(dir, 'missing-key.pem') }));
});

afterAll(async () => {
  for (const d of daemons.reverse()) await d.stop();
  if (dir) removeDir(dir);
});

describe.runIf(ready)('Postfix', () => {
  it('smtp 25: STARTTLS offered and upgraded, EHLO again after TLS, no SASL', async () => {
    const r = await probe(PF, 25, 'smtp');
    expect(r.status, `${JSON.stringify(r)}\n${logs()}`).toBe('success');
    expect(r.banner).toBe('220 mx.wildtls.test ESMTP wildtls-test');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '220 2.0.0 Ready to start TLS' });
    expect(r.capabilities).toEqual({ beforeTls: [...POSTFIX_EXT, 'STARTTLS', ...POSTFIX_TAIL], afterTls: [...POSTFIX_EXT, ...POSTFIX_TAIL] });
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: [] });
    expect(r.smtp?.ehloGreeting).toEqual({ beforeTls: 'mx.wildtls.test', afterTls: 'mx.wildtls.test' });
    expect(r.tls?.version).toBe('TLSv1.3');
    expect(r.tls?.chain.slice(0, 2)).toEqual([b64(pfTls.chain.leaf.der), b64(pfTls.chain.intermediate.der)]);
  });

  it('submission 587: AUTH only after TLS, both AUTH lines merged into one list', async () => {
    const r = await probe(PF, 587, 'submission');
    expect(r.status, `${JSON.stringify(r)}\n${logs()}`).toBe('success');
    expect(r.starttls).toMatchObject({ offered: true, upgraded: true });
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: ['PLAIN', 'LOGIN'] });
    expect(r.capabilities?.afterTls).toEqual([...POSTFIX_EXT, 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN', ...POSTFIX_TAIL]);
    expect(r.tls?.chain[0]).toBe(b64(pfTls.chain.leaf.der));
  });

  it('smtps 465: implicit TLS capped at TLS 1.2, capabilities only after TLS', async () => {
    const r = await probe(PF, 465, 'smtps');
    expect(r.status, `${JSON.stringify(r)}\n${logs()}`).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.starttls).toBeUndefined();
    expect(r.banner).toBe('220 mx.wildtls.test ESMTP wildtls-test');
    expect(r.tls?.version).toBe('TLSv1.2');
    expect(r.tls?.chain[0]).toBe(b64(pfTls.chain.leaf.der));
    expect(r.capabilities).toEqual({ afterTls: [...POSTFIX_EXT, 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN', ...POSTFIX_TAIL] });
    expect(r.sasl).toEqual({ afterTls: ['PLAIN', 'LOGIN'] });
  });

  it('smtp 25 without TLS: no-starttls, STARTTLS never sent', async () => {
    const r = await probe(PF2, 25, 'smtp');
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
    expect(r.capabilities).toEqual({ beforeTls: [...POSTFIX_EXT, ...POSTFIX_TAIL] });
    expect(r.tls).toBeUndefined();
  });

  it('submission 587 with AUTH before TLS: the same mechanisms before and after', async () => {
    const r = await probe(PF2, 587, 'submission');
    expect(r.status, `${JSON.stringify(r)}\n${logs()}`).toBe('success');
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN', 'LOGIN'], afterTls: ['PLAIN', 'LOGIN'] });
    expect(r.capabilities?.beforeTls).toContain('AUTH=PLAIN LOGIN');
  });
});

describe.runIf(ready)('recorded transcripts', () => {
  // The plugin's unit tests replay these fixtures; they must stay what the servers say.
  // WILDTLS_RECORD_FIXTURES=1 rewrites them from the running servers.
  const cases = [
    { file: 'postfix-submission.json', host: PF, port: 587, source: 'Postfix 3.7 (Debian 12), submission 587, smtpd_tls_auth_only=yes, broken_sasl_auth_clients=yes, SASL through Dovecot' },
    { file: 'exim-smtp.json', host: EXIM, port: 25, source: 'Exim 4.96 (Debian 12, GnuTLS), smtp 25, CRAM-MD5 always, PLAIN and LOGIN only over TLS' },
  ];
  for (const c of cases) {
    it(`${c.file} matches a fresh recording`, async () => {
      const fresh = await recordSmtpTranscript(c.host, c.port, 'wildtls-research-scanner.invalid', c.source);
      if (process.env.WILDTLS_RECORD_FIXTURES === '1') writeFileSync(fixture(c.file), `${JSON.stringify(fresh, null, 2)}\n`);
      const kept = JSON.parse(readFileSync(fixture(c.file), 'utf8')) as Transcript;
      expect(kept.steps).toEqual(fresh.steps);
    });
  }
});

describe.runIf(ready)('Exim (second implementation)', () => {
  it('smtp 25: STARTTLS, CRAM-MD5 before TLS, PLAIN and LOGIN added after', async () => {
    const r = await probe(EXIM, 25, 'smtp');
    expect(r.status, `${JSON.stringify(r)}\n${logs()}`).toBe('success');
    expect(r.banner).toMatch(/^220 exim-ok\.wildtls\.test ESMTP Exim 4\.\d+/);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '220 TLS go ahead' });
    expect(r.capabilities?.beforeTls).toContain('STARTTLS');
    expect(r.capabilities?.afterTls).not.toContain('STARTTLS');
    expect(r.sasl).toEqual({ beforeTls: ['CRAM-MD5'], afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(r.tls?.version).toBe('TLSv1.3');
    expect(r.tls?.chain.slice(0, 2)).toEqual([b64(eximTls.chain.leaf.der), b64(eximTls.chain.intermediate.der)]);
  });

  it('smtps 465: implicit TLS', async () => {
    const r = await probe(EXIM, 465, 'smtps');
    expect(r.status, `${JSON.stringify(r)}\n${logs()}`).toBe('success');
    expect(r.tls?.chain[0]).toBe(b64(eximTls.chain.leaf.der));
    expect(r.sasl).toEqual({ afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
  });

  it('certificate files missing: STARTTLS offered, refused with the exact 454 reply', async () => {
    const r = await probe(EXIM_NOCERT, 25, 'smtp');
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toEqual({ offered: true, upgraded: false, reply: '454 TLS currently unavailable' });
    expect(r.tls).toBeUndefined();
    expect(r.sasl).toEqual({ beforeTls: ['CRAM-MD5'] });
  });
});
