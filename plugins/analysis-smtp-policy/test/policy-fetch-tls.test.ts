import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateChain, type TestChain } from '@wildtls/core/testing';
import { fetchPolicy } from '../src/sts/policy-fetch.js';

// A real HTTPS server on this suite's loopback address: the certificate checks are Node's TLS, not a mock.
const ADDR = '127.0.67.70';
const POLICY = 'version: STSv1\nmode: testing\nmx: mx.tls.test\nmax_age: 60\n';
let good: TestChain;
let server: Server;

beforeAll(async () => {
  good = await certificateChain({ leafName: 'mta-sts.tls.test' });
  server = createServer({ key: good.leaf.keyPem, cert: good.leaf.certPem + good.intermediate.certPem }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(POLICY);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(443, ADDR, resolve));
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('MTA-STS policy fetch over real TLS', () => {
  it('fetches with the test CA as the trust anchor', async () => {
    expect(await fetchPolicy('tls.test', ADDR, { ca: good.root.certPem, timeoutMs: 3000, maxBytes: 65536 })).toEqual({ ok: true, text: POLICY });
  });

  it('a certificate from an unknown CA is a certificate failure', async () => {
    expect(await fetchPolicy('tls.test', ADDR, { timeoutMs: 3000, maxBytes: 65536 })).toMatchObject({ ok: false, cause: 'certificate' });
  });

  it('a certificate that does not name mta-sts.<domain> is a certificate failure', async () => {
    expect(await fetchPolicy('other.test', ADDR, { ca: good.root.certPem, timeoutMs: 3000, maxBytes: 65536 })).toMatchObject({ ok: false, cause: 'certificate' });
  });

  it('nothing listening is a connection failure', async () => {
    expect(await fetchPolicy('tls.test', '127.0.67.71', { ca: good.root.certPem, timeoutMs: 3000, maxBytes: 65536 })).toMatchObject({ ok: false, cause: 'connect' });
  });
});
