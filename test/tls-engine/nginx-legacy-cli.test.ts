import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { haveBinary, removeDir, startForeground, waitForPort, tempDir, type Daemon } from '../harness/daemon.js';
import { nginxConf } from '../harness/nginx-conf.js';
import { runCli } from '../cli/run-cli.js';
import { makePki, type TestPki } from './pki.js';

const NGINX = '/usr/sbin/nginx';
const HOST = '127.0.41.50';
const PORT = 4443;

/**
 * A real daemon in a 2015 configuration (nginx: TLS 1.0 to 1.2 only, DHE-only
 * ciphers, a 1024-bit group) scanned end to end as a user would: `wildtls scan`
 * with no config and no TLS flags (the defaults), JSONL out, then `wildtls
 * analyze` with the crypto analysis, whose rows must say TLS 1.2, DHE, 1024 bits.
 */
describe('nginx in a 2015 configuration, scanned and analysed through the CLI with the defaults', () => {
  let pki: TestPki;
  let daemon: Daemon | undefined;
  beforeAll(async () => {
    expect(haveBinary(NGINX), `${NGINX} (Debian package nginx)`).toBe(true);
    pki = makePki(tempDir('nginx-legacy'));
    const d = pki.dir;
    writeFileSync(join(d, 'nginx.conf'), nginxConf(d, `
  server {
    listen ${HOST}:${PORT} ssl;
    ssl_certificate ${d}/rsa-chain.crt; ssl_certificate_key ${d}/rsa.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers DHE:!aNULL:@SECLEVEL=0;
    ssl_dhparam ${d}/dh1024.pem;
    location / { return 200 "hello from a 2015 nginx\\n"; }
  }`));
    daemon = startForeground(NGINX, ['-p', d, '-c', join(d, 'nginx.conf'), '-e', join(d, 'error.log')]);
    await waitForPort(HOST, PORT);
  });
  afterAll(async () => {
    await daemon?.stop();
    if (pki) removeDir(pki.dir);
  });

  it('wildtls scan (defaults) completes DHE-1024 over TLS 1.2 with the chain and an HTTP reply; wildtls analyze reports it', async () => {
    const out = join(pki.dir, 'out.jsonl');
    const scan = await runCli(['scan', HOST, '--protocol', 'https', '--port', String(PORT), '--allow', '127.0.0.0/8', '-o', out, '-q'], { cwd: pki.dir });
    expect(scan.code, scan.stderr).toBe(0);
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProbeRecord & { http?: { status: number } });
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.status, JSON.stringify(r.error)).toBe('success');
    expect(r.tls).toMatchObject({ completed: true, version: 'TLSv1.2', cipherSuite: { name: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384' }, keyExchange: { kind: 'DHE', bits: 1024 }, profile: 'study', fallbackStep: 0 });
    expect(r.tls!.chain).toEqual([pki.rsaLeafDer, pki.caDer]);
    expect(r.http?.status).toBe(200);

    const analyze = await runCli(['analyze', out, '--analysis', 'crypto', '--format', 'json'], { cwd: pki.dir });
    expect(analyze.code, analyze.stderr).toBe(0);
    const reports = JSON.parse(analyze.stdout) as Record<string, { tables: Array<{ id: string; rows: Array<Record<string, unknown>> }> }>;
    const table = (id: string) => reports.crypto!.tables.find((t) => t.id === id)!.rows;
    const https = (id: string) => table(id).filter((row) => row.service === 'https');
    expect(https('versions')).toEqual([expect.objectContaining({ service: 'https', servers: 1, tls12: 1, tls12Share: 1 })]);
    expect(https('cipher-categories')).toEqual([expect.objectContaining({ keyExchange: 'DHE', bulk: 'AES-GCM', forwardSecrecy: true, servers: 1 })]);
    expect(https('dh-sizes-by-port')).toEqual([expect.objectContaining({ bits: '1024', servers: 1 })]);
  });

  it('the modern profile with --fallback none gets no version, suite or chain from it (what the old default recorded)', async () => {
    const out = join(pki.dir, 'modern.jsonl');
    const scan = await runCli(['scan', HOST, '--protocol', 'https', '--port', String(PORT), '--allow', '127.0.0.0/8', '-o', out, '-q', '--profile', 'modern', '--fallback', 'none'], { cwd: pki.dir });
    expect(scan.code, scan.stderr).toBe(0);
    const r = JSON.parse(readFileSync(out, 'utf8').trim()) as ProbeRecord;
    expect(r.status).toBe('tls-failed');
    expect(r.tls).toMatchObject({ completed: false, profile: 'modern', fallbackStep: 0, alert: { description: 'handshake_failure' } });
    expect(r.tls!.cipherSuite).toBeUndefined();
    expect(r.tls!.chain).toEqual([]);
  });
});
