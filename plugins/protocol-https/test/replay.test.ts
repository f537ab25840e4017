import { checkPlugin } from '@wildtls/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, runDialogAgainst, type ScriptStep, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import type { ProbeRecord } from '@wildtls/core';
import plugin, { type HttpInfo } from '@wildtls/protocol-https';
import { HEAD_RESPONSE } from './fixtures/nginx-1.22.js';

const https = plugin.services[0]!;
let cert: TestCertificate;
const servers: ScriptedServer[] = [];
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'www.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function serve(script: ScriptStep[]) {
  const s = await startScriptedServer({ script, tls: cert, implicitTls: true });
  servers.push(s);
  return s;
}

describe('https plugin: recorded nginx 1.22 exchange', () => {
  it('declares https 443 implicit and types the http record field', () => {
    expect(plugin.id).toBe('https');
    expect(checkPlugin(plugin, '@wildtls/protocol-https')).toBe(plugin);
    expect(plugin.services.map((s) => [s.name, s.defaultPort, s.mode])).toEqual([['https', 443, 'implicit']]);
    expectTypeOf<ProbeRecord['http']>().toEqualTypeOf<HttpInfo | undefined>();
  });

  it('HEAD with Host (domain and port), a research User-Agent and Connection: close; records status, Server, HSTS', async () => {
    const t = await serve([
      { expect: 'HEAD / HTTP/1.1' },
      { expect: /^Host: www\.test:\d+$/ },
      { expect: 'User-Agent: wildtls TLS research scanner' },
      { expect: 'Accept: */*' },
      { expect: 'Connection: close' },
      { expect: '' },
      { send: HEAD_RESPONSE },
      { close: true },
    ]);
    const r = await runDialogAgainst({ port: t.port, spec: https, domain: 'www.test', protocolId: 'https' });
    expect(r.status).toBe('success');
    expect(r.banner).toBe('HTTP/1.1 200 OK');
    expect(r.http).toEqual({ status: 200, server: 'nginx/1.22.1', hsts: 'max-age=31536000; includeSubDomains' });
    expect(Buffer.from(r.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
    expect(r.starttls).toBeUndefined();
  });

  it('uses the IP as Host for bare-IP targets', async () => {
    const s = await serve([{ expect: 'HEAD / HTTP/1.1' }, { expect: /^Host: 127\.0\.0\.1:\d+$/ }, { send: 'HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n' }]);
    const r = await runDialogAgainst({ port: s.port, spec: https });
    expect(r.status).toBe('success');
    expect(r.http).toEqual({ status: 404, server: 'x' });
  });

  it('skips an interim 100 response; the first of two HSTS headers counts; folded lines continue', async () => {
    const s = await serve([
      { expect: /^HEAD/ },
      { send: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 301 Moved\r\nserver: Apache\r\n  (Debian)\r\nstrict-transport-security: max-age=1\r\nStrict-Transport-Security: max-age=2\r\n\r\n' },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: https });
    expect(r.banner).toBe('HTTP/1.0 301 Moved');
    expect(r.http).toEqual({ status: 301, server: 'Apache (Debian)', hsts: 'max-age=1' });
  });

  it('configured path and User-Agent are used', async () => {
    const s = await serve([{ expect: 'HEAD /health HTTP/1.1' }, { expect: /^Host: / }, { expect: 'User-Agent: research-bot' }, { send: 'HTTP/1.1 204 No Content\r\n\r\n' }]);
    const r = await runDialogAgainst({ port: s.port, spec: https, options: { path: '/health', userAgent: 'research-bot' } });
    expect(r.http).toEqual({ status: 204 });
  });
});
