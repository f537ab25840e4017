import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeRecord } from '@wildtls/core';
import { certificateChain, runDialogAgainst, type TestChain } from '@wildtls/core/testing';
import xmpp from '@wildtls/protocol-xmpp';
import { ENGINES, expectChainSent, startAll, valid } from '../harness/real-server-checks.js';
import { requireBinary } from '../harness/require-binary.js';
import { PROSODY, startProsody, type ProsodyInstance } from './prosody/start-prosody.js';

/*
 * Real Prosody 0.12 on 127.0.12.1 (SASL offered before TLS, TLS 1.2 pinned)
 * and 127.0.12.2 (Prosody's default c2s_require_encryption, TLS 1.2 and 1.3).
 * Prosody's order of mechanisms, and of stream features, changes from one
 * start to the next (Lua table order), so both are compared as sets.
 */

const service = (name: string) => xmpp.services.find((s) => s.name === name)!;
const HOST = 'xmpp.wildtls.test';


let chain: TestChain;
let lax: ProsodyInstance;
let strict: ProsodyInstance;

const ready = requireBinary(PROSODY, 'prosody');

beforeAll(async () => {
  if (!ready) return;
  chain = await certificateChain({ leafName: HOST });
  const certChainPem = [chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
  const tls = { certChainPem, keyPem: chain.leaf.keyPem, host: HOST };
  [lax, strict] = await startAll([
    startProsody({ ip: '127.0.12.1', c2sRequireEncryption: false, protocol: 'tlsv1_2', ...tls }),
    startProsody({ ip: '127.0.12.2', c2sRequireEncryption: true, protocol: 'tlsv1_2+', ...tls }),
  ]);
});

afterAll(async () => {
  await Promise.all([lax, strict].filter(Boolean).map((d) => d.stop()));
});


const expectChain = (r: ProbeRecord): void => expectChainSent(r, chain);

const set = (xs: string[] | undefined) => new Set(xs ?? []);

describe.runIf(ready).each(ENGINES)('Prosody 0.12 with the %s engine', (_name, engine) => {
  const run = (name: string, d: ProsodyInstance, port: number, domain: string = HOST) =>
    runDialogAgainst({ host: d.ip, port, spec: service(name), protocolId: 'xmpp', domain, engine: engine(), readTimeoutMs: 4000 }).then(valid);

  it('c2s 5222, SASL before TLS: SCRAM only in clear, PLAIN and SCRAM-SHA-1-PLUS after TLS 1.2', async () => {
    const r = await run('xmpp-client', lax, lax.ports.c2s);
    expect(r.status).toBe('success');
    expect(r.banner).toMatch(new RegExp(`^from='${HOST}' version='1.0' id='[^']+'$`));
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" });
    expect(set(r.capabilities?.beforeTls)).toEqual(set(['starttls', 'mechanisms']));
    expect(r.capabilities?.afterTls).toEqual(['mechanisms']);
    expect(set(r.sasl?.beforeTls)).toEqual(set(['SCRAM-SHA-1']));
    expect(r.tls?.version).toBe('TLSv1.2');
    expect(set(r.sasl?.afterTls)).toEqual(set(['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS']));
    expectChain(r);
  });

  it('c2s 5222 with Prosody defaults: STARTTLS required, no SASL before TLS', async () => {
    const r = await run('xmpp-client', strict, strict.ports.c2s);
    expect(r.status).toBe('success');
    expect(set(r.capabilities?.beforeTls)).toEqual(set(['starttls', 'starttls:required']));
    expect(r.sasl?.beforeTls).toEqual([]);
    // Channel binding (-PLUS) only where Prosody 0.12 has tls-unique: TLS 1.2.
    const plus = r.tls?.version === 'TLSv1.2' ? ['SCRAM-SHA-1-PLUS'] : [];
    expect(set(r.sasl?.afterTls)).toEqual(set(['PLAIN', 'SCRAM-SHA-1', ...plus]));
    expect(['TLSv1.2', 'TLSv1.3']).toContain(r.tls?.version);
    expectChain(r);
  });

  it('s2s 5269: jabber:server stream, STARTTLS required, dialback before and after TLS', async () => {
    const r = await run('xmpp-server', lax, lax.ports.s2s);
    expect(r.status).toBe('success');
    expect(set(r.capabilities?.beforeTls)).toEqual(set(['starttls', 'starttls:required', 'dialback']));
    expect(r.capabilities?.afterTls).toEqual(['dialback']);
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: [] });
    expect(r.starttls?.upgraded).toBe(true);
    expectChain(r);
  });

  it('xmpps-client 5223 and xmpps-server 5270: implicit TLS, features after TLS', async () => {
    const c = await run('xmpps-client', lax, lax.ports.c2sTls);
    expect(c.status).toBe('success');
    expect(c.tls?.version).toBe('TLSv1.2');
    expect(c.capabilities).toEqual({ afterTls: ['mechanisms'] });
    expect(set(c.sasl?.afterTls)).toEqual(set(['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-1-PLUS']));
    expectChain(c);
    const s = await run('xmpps-server', lax, lax.ports.s2sTls);
    expect(s.status).toBe('success');
    expect(s.capabilities).toEqual({ afterTls: ['dialback'] });
    expectChain(s);
  });

  it('a host Prosody does not serve: stream error host-unknown, banner kept', async () => {
    const r = await run('xmpp-client', lax, lax.ports.c2s, 'other.test');
    expect(r.status).toBe('protocol-error');
    expect(r.error?.message).toContain('host-unknown');
    expect(r.banner).toContain('version=');
  });
});
