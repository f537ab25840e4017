import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import { runCli } from './run-cli.js';

let server: ScriptedServer;

beforeAll(async () => {
  const cert = await selfSignedCertificate({ keyType: 'ec' });
  server = await startScriptedServer({
    tls: cert,
    script: [
      { send: '220 mx.init.test ESMTP\r\n' },
      { expect: /^EHLO / },
      { send: '250-mx.init.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n' },
      { expect: 'STARTTLS' },
      { send: '220 Go ahead\r\n' },
      { startTls: true },
      { expect: /^EHLO / },
      { send: '250-mx.init.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n' },
      { expect: 'QUIT' },
      { send: '221 Bye\r\n' },
    ],
  });
});

afterAll(async () => {
  await server.close();
});

describe('wildtls init', () => {
  it('writes a config that wildtls scan accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-init-'));
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    expect(readFileSync(join(dir, 'wildtls.config.yaml'), 'utf8')).toContain('plugins:');
    const again = await runCli(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    const scan = await runCli(['scan', '127.0.0.1', '--port', String(server.port), '--allow', '127.0.0.0/8'], { cwd: dir });
    expect(scan.stderr).toContain('success 1');
    expect(scan.code).toBe(0);
    const rec = JSON.parse(scan.stdout.trim());
    expect(rec).toMatchObject({ service: 'smtp', status: 'success', starttls: { offered: true, upgraded: true }, sasl: { beforeTls: [], afterTls: ['PLAIN'] } });
  });
});
