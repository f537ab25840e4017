import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeRecord } from '@wildtls/core';
import { certificateChain, runDialogAgainst, type TestChain } from '@wildtls/core/testing';
import https from '@wildtls/protocol-https';
import { ENGINES, expectChainSent, valid } from '../harness/real-server-checks.js';
import { requireBinary } from '../harness/require-binary.js';
import { NGINX, startNginx, type NginxInstance, type NginxSite } from './nginx/start-nginx.js';

/*
 * Real nginx 1.22 on 127.0.14.1 (TLS 1.2 only, HSTS, 200) and 127.0.14.2
 * (TLS 1.3 only, no HSTS, 404), port 8443 so the suite needs no privileged port.
 */

const spec = https.services[0]!;
const NAME = 'www.wildtls.test';
const HSTS = 'max-age=31536000; includeSubDomains; preload';
const TLS12: NginxSite = { ip: '127.0.14.1', port: 8443, serverName: NAME, protocols: 'TLSv1.2', hsts: HSTS, status: 200 };
const TLS13: NginxSite = { ip: '127.0.14.2', port: 8443, serverName: NAME, protocols: 'TLSv1.3', status: 404 };


let chain: TestChain;
let nginx: NginxInstance;

const ready = requireBinary(NGINX, 'nginx');

beforeAll(async () => {
  if (!ready) return;
  chain = await certificateChain({ leafName: NAME });
  const certChainPem = [chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
  nginx = await startNginx(certChainPem, chain.leaf.keyPem, [TLS12, TLS13]);
});

afterAll(async () => {
  await nginx?.stop();
});


const expectChain = (r: ProbeRecord): void => expectChainSent(r, chain);

describe.runIf(ready).each(ENGINES)('nginx 1.22 with the %s engine', (_name, engine) => {
  const run = (site: NginxSite, domain?: string) =>
    runDialogAgainst({ host: site.ip, port: site.port, spec, protocolId: 'https', ...(domain ? { domain } : {}), engine: engine(), readTimeoutMs: 4000 }).then(valid);

  it('TLS 1.2 site: status 200, Server nginx, the configured HSTS value, the configured chain', async () => {
    const r = await run(TLS12, NAME);
    expect(r.status).toBe('success');
    expect(r.banner).toBe('HTTP/1.1 200 OK');
    expect(r.http).toEqual({ status: 200, server: 'nginx', hsts: HSTS });
    expect(r.tls?.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('TLS 1.3 site without HSTS, probed by bare IP: status 404, no hsts', async () => {
    const r = await run(TLS13);
    expect(r.status).toBe('success');
    expect(r.banner).toBe('HTTP/1.1 404 Not Found');
    expect(r.http).toEqual({ status: 404, server: 'nginx' });
    expect(r.tls?.version).toBe('TLSv1.3');
    expectChain(r);
  });
});
