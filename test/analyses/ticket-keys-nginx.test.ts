import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReuseAnalyzer } from '@wildtls/analysis-reuse';
import type { ProbeRecord, TlsInfo } from '@wildtls/core';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { requireBinary } from '../harness/require-binary.js';
import { nginxConf } from '../harness/nginx-conf.js';
import { makePki, type TestPki } from '../tls-engine/pki.js';
import { handshakeAndTalk } from '../tls-engine/peer.js';

const NGINX = '/usr/sbin/nginx';
const HOSTS = ['127.0.24.1', '127.0.24.2', '127.0.24.3'];

/**
 * Session-ticket keys end to end: nginx on three loopback addresses, the first
 * two with one `ssl_session_ticket_key` file, the third with another. The
 * engine records each ticket's key name (the key file's first 16 bytes), and
 * the reuse analysis finds one key on two IPs and one on one.
 */
describe.runIf(requireBinary(NGINX, 'nginx'))('session-ticket keys: nginx sharing a ticket key across IPs', () => {
  let pki: TestPki;
  let daemon: Daemon | undefined;
  const keyFiles = [randomBytes(80), randomBytes(80)];
  beforeAll(async () => {
    pki = makePki(tempDir('ticket-keys'));
    const d = pki.dir;
    keyFiles.forEach((k, i) => writeFileSync(join(d, `ticket${i}.key`), k));
    const server = (host: string, key: number) => `
  server {
    listen ${host}:4433 ssl;
    ssl_certificate ${d}/rsa-chain.crt; ssl_certificate_key ${d}/rsa.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_ticket_key ${d}/ticket${key}.key;
    location / { return 200 "hello from nginx\\n"; }
  }`;
    writeFileSync(join(d, 'nginx.conf'), nginxConf(d, HOSTS.map((h, i) => server(h, i < 2 ? 0 : 1)).join('\n')));
    daemon = startForeground(NGINX, ['-p', d, '-c', join(d, 'nginx.conf'), '-e', join(d, 'error.log')]);
    for (const h of HOSTS) await waitForPort(h, 4433);
  });
  afterAll(async () => {
    await daemon?.stop();
    if (pki) removeDir(pki.dir);
  });

  it('records the key name of TLS 1.2 tickets (in the handshake) and TLS 1.3 ones (after it), and the analysis groups them by key', async () => {
    const infos: TlsInfo[] = [];
    // TLS 1.2 on the first and third, TLS 1.3 on the second (its tickets arrive before the HTTP reply).
    for (const [host, profile] of [[HOSTS[0], 'compat'], [HOSTS[1], 'modern'], [HOSTS[2], 'compat']] as const) {
      const r = await handshakeAndTalk(host!, 4433, profile, 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n', /hello from nginx/);
      expect(r.info.completed, daemon?.output()).toBe(true);
      infos.push(r.info);
    }
    const name = (i: number) => keyFiles[i]!.subarray(0, 16).toString('hex');
    expect(infos[0]!.version).toBe('TLSv1.2');
    expect(infos[0]!.sessionTickets).toEqual([expect.objectContaining({ keyName: name(0) })]);
    expect(infos[1]!.version).toBe('TLSv1.3');
    expect(infos[1]!.sessionTickets!.length).toBeGreaterThan(0);
    for (const t of infos[1]!.sessionTickets!) expect(t.keyName).toBe(name(0));
    expect(infos[2]!.sessionTickets).toEqual([expect.objectContaining({ keyName: name(1) })]);

    const reuse = new ReuseAnalyzer({ version: 't', classifier: { classify: () => 'invalid' }, classifierName: 't', topInvalid: 1 });
    for (const [i, tls] of infos.entries()) await reuse.consume({ ip: HOSTS[i]!, port: 4433, service: 'tls', protocol: 'tls', mode: 'implicit', status: 'success', startedAt: new Date().toISOString(), durationMs: 1, tls } as ProbeRecord);
    const report = await reuse.finish();
    const rows = report.tables.find((t) => t.id === 'ticket-keys')!.rows.filter((r) => r.service === 'all').map((r) => [r.ips, r.count]);
    expect(rows).toEqual([[1, 1], [2, 1]]);
  });
});
