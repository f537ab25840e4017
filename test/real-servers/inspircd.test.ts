import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeRecord } from '@wildtls/core';
import { certificateChain, runDialogAgainst, type TestChain } from '@wildtls/core/testing';
import irc from '@wildtls/protocol-irc';
import { ENGINES, expectChainSent, startAll, valid } from '../harness/real-server-checks.js';
import { requireBinary } from '../harness/require-binary.js';
import { INSPIRCD, startInspircd, type InspircdInstance } from './inspircd/start-inspircd.js';

/*
 * Real InspIRCd 3.15 with ssl_gnutls on 127.0.13.1 (starttls module, TLS 1.2
 * pinned) and 127.0.13.2 (no starttls module, GnuTLS defaults), each with a
 * plaintext port 6667 and an IRCS port 6697.
 */

const [ircService, ircsService] = irc.services;
const NAME = 'irc.wildtls.test';
const CAPS = ['account-notify', 'away-notify', 'extended-join', 'inspircd.org/poison', 'inspircd.org/standard-replies', 'server-time'];


let chain: TestChain;
let withStarttls: InspircdInstance;
let without: InspircdInstance;

const ready = requireBinary(INSPIRCD, 'inspircd');

beforeAll(async () => {
  if (!ready) return;
  chain = await certificateChain({ leafName: NAME });
  const certChainPem = [chain.leaf.certPem, chain.intermediate.certPem].map((p) => p.trim() + '\n').join('');
  const tls = { certChainPem, keyPem: chain.leaf.keyPem, serverName: NAME };
  [withStarttls, without] = await startAll([
    startInspircd({ ip: '127.0.13.1', starttls: true, priority: 'NORMAL:-VERS-ALL:+VERS-TLS1.2', ...tls }),
    startInspircd({ ip: '127.0.13.2', starttls: false, priority: 'NORMAL', ...tls }),
  ]);
});

afterAll(async () => {
  await Promise.all([withStarttls, without].filter(Boolean).map((d) => d.stop()));
});


const expectChain = (r: ProbeRecord): void => expectChainSent(r, chain);

describe.runIf(ready).each(ENGINES)('InspIRCd 3.15 with the %s engine', (_name, engine) => {
  const run = (spec: typeof ircService, d: InspircdInstance, port: number) =>
    runDialogAgainst({ host: d.ip, port, spec: spec!, protocolId: 'irc', domain: NAME, engine: engine(), readTimeoutMs: 4000 }).then(valid);

  it('irc 6667: NOTICE banner, tls cap, STARTTLS 670, TLS 1.2, CAP LS again on the same connection', async () => {
    const r = await run(ircService, withStarttls, withStarttls.ports.irc);
    expect(r.status).toBe('success');
    expect(r.banner).toBe(`:${NAME} NOTICE * :*** Looking up your hostname...`);
    expect(r.capabilities).toEqual({ beforeTls: [...CAPS, 'tls'], afterTls: [...CAPS, 'tls'] });
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: [] });
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: `:${NAME} 670 * :STARTTLS successful, go ahead with TLS handshake` });
    expect(r.tls?.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('ircs 6697: implicit TLS 1.2, caps after TLS', async () => {
    const r = await run(ircsService, withStarttls, withStarttls.ports.ircs);
    expect(r.status).toBe('success');
    expect(r.capabilities).toEqual({ afterTls: [...CAPS, 'tls'] });
    expect(r.tls?.version).toBe('TLSv1.2');
    expectChain(r);
  });

  it('irc 6667 without the starttls module: no tls cap, no-starttls', async () => {
    const r = await run(ircService, without, without.ports.irc);
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: CAPS });
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
  });

  it('ircs 6697 with GnuTLS defaults: a modern version, the configured chain', async () => {
    const r = await run(ircsService, without, without.ports.ircs);
    expect(r.status).toBe('success');
    expect(['TLSv1.2', 'TLSv1.3']).toContain(r.tls?.version);
    expect(r.capabilities).toEqual({ afterTls: CAPS });
    expectChain(r);
  });
});
