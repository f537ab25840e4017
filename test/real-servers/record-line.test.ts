import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordLine, type ProbeRecord } from '@wildtls/core';
import { certificateChain, runDialogAgainst, type TestChain } from '@wildtls/core/testing';
import https from '@wildtls/protocol-https';
import { valid } from '../harness/real-server-checks.js';
import { requireBinary } from '../harness/require-binary.js';
import { NGINX, startNginx, type NginxInstance, type NginxSite } from './nginx/start-nginx.js';

/*
 * recordLine() splices a shared chain's JSON, made once, into the line of each record that carries it
 * (record-line.ts). The truth here is JSON.stringify on records the real probe path made against real
 * nginx 1.22 (127.0.109.1: TLS 1.2, 127.0.109.2: TLS 1.3, the same two-certificate chain), a port that
 * refuses (127.0.109.3) and a server that answers the ClientHello with bytes that are not TLS
 * (127.0.109.4): every line must be JSON.stringify's, byte for byte, for records whose chain is the
 * engine's shared array (met once, then again), copies whose chain is not shared, and records whose
 * keys are in another order (an HTTPS record's `tls` is not its last key; an SMTP record's is).
 */

const spec = https.services[0]!;
const NAME = 'www.wildtls.test';
const PORT = 8443;
const TLS12: NginxSite = { ip: '127.0.109.1', port: PORT, serverName: NAME, protocols: 'TLSv1.2', hsts: 'max-age=60', status: 200 };
const TLS13: NginxSite = { ip: '127.0.109.2', port: PORT, serverName: NAME, protocols: 'TLSv1.3', status: 404 };
const REFUSED = '127.0.109.3';
const NOT_TLS = '127.0.109.4';

let chain: TestChain;
let nginx: NginxInstance;
let notTls: Server;

const ready = requireBinary(NGINX, 'nginx');

beforeAll(async () => {
  if (!ready) return;
  chain = await certificateChain({ leafName: NAME });
  const certChainPem = [chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
  nginx = await startNginx(certChainPem, chain.leaf.keyPem, [TLS12, TLS13]);
  notTls = createServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => notTls.listen(PORT, NOT_TLS, resolve));
});

afterAll(async () => {
  await nginx?.stop();
  await new Promise<void>((resolve) => (notTls ? notTls.close(() => resolve()) : resolve()));
});

const probe = (ip: string, domain?: string) =>
  runDialogAgainst({ host: ip, port: PORT, spec, protocolId: 'https', ...(domain ? { domain } : {}), readTimeoutMs: 4000 }).then(valid);

/** recordLine(r) is JSON.stringify(r), asked twice (the second time a shared chain's JSON is remembered). */
function expectSameLine(r: ProbeRecord): void {
  const want = JSON.stringify(r);
  expect(recordLine(r)).toBe(want);
  expect(recordLine(r)).toBe(want);
}

describe.runIf(ready)('recordLine on real records: byte for byte JSON.stringify', () => {
  it('TLS 1.3 and TLS 1.2 records of one shared chain, each probed three times', async () => {
    const records: ProbeRecord[] = [];
    for (let i = 0; i < 3; i++) records.push(await probe(TLS13.ip, NAME), await probe(TLS12.ip));
    for (const r of records) {
      expect(r.status).toBe('success');
      expect(r.tls?.chain).toHaveLength(2);
      // The chain the splice is for: the engine's frozen shared array.
      expect(Object.isFrozen(r.tls!.chain)).toBe(true);
    }
    expect(records[2]!.tls!.chain).toBe(records[0]!.tls!.chain);
    for (const r of records) expectSameLine(r);
  });

  it('the same records as copies: a chain that is not shared, `tls` not last, `chain` not first, no chain', async () => {
    const r = await probe(TLS13.ip, NAME);
    expectSameLine(r);
    const tls = r.tls!;
    const { chain: certs, ...tlsRest } = tls;
    const { tls: _tls, ...rest } = r;
    expectSameLine(structuredClone(r));
    expectSameLine({ ...r, tls: { ...tls, chain: [...certs] } });
    expectSameLine({ tls, ...rest } as ProbeRecord);
    expectSameLine({ ...rest, tls: { ...tlsRest, chain: certs } } as ProbeRecord);
    expectSameLine({ ...rest, tls: tlsRest } as ProbeRecord);
    const odd = Object.freeze([...certs, 'x"\\\u2028']);
    expectSameLine({ ...rest, tls: { ...tls, chain: odd } } as ProbeRecord);
    expectSameLine({ ...rest, tls: { ...tls, chain: odd } } as ProbeRecord);
    // A chain too long to be remembered: serialized whole each time.
    const long = Object.freeze([...certs, 'A'.repeat(70000)]);
    expectSameLine({ ...rest, tls: { ...tls, chain: long } } as ProbeRecord);
    expectSameLine({ ...rest, tls: { ...tls, chain: long } } as ProbeRecord);
    // A key named like the marks deeper down, with a value beginning with 0: not spliced, the same line.
    expectSameLine({ extra: { tls: 0.5 }, ...rest, tls } as unknown as ProbeRecord);
    expectSameLine({ extra: { 'a"tls': 0 }, ...rest, tls } as unknown as ProbeRecord);
    expectSameLine({ ...rest, tls: { extra: { chain: 0 }, ...tls } } as unknown as ProbeRecord);
  });

  it('records without a chain: a refused port, a server that does not speak TLS', async () => {
    const refused = await probe(REFUSED);
    expect(refused.status).not.toBe('success');
    expect(refused.tls?.chain ?? []).toHaveLength(0);
    expectSameLine(refused);
    const garbled = await probe(NOT_TLS);
    expect(garbled.status).not.toBe('success');
    expect(garbled.tls).toBeDefined();
    expect(garbled.tls!.chain).toHaveLength(0);
    expectSameLine(garbled);
  });
});
