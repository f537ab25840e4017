import { checkPlugin } from '@wildtls/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, startScriptedServer, runDialogAgainst, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-xmpp';
import * as P from './fixtures/prosody-0.12.js';

const service = (name: string) => plugin.services.find((s) => s.name === name)!;
let cert: TestCertificate;
const servers: ScriptedServer[] = [];

beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'xmpp.test' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(script: Parameters<typeof startScriptedServer>[0]['script'], implicitTls = false) {
  const s = await startScriptedServer({ script, tls: cert, implicitTls });
  servers.push(s);
  return s;
}

describe('xmpp plugin: recorded Prosody 0.12 exchanges', () => {
  it('declares the four services with the study ports', () => {
    expect(plugin.id).toBe('xmpp');
    expect(checkPlugin(plugin, '@wildtls/protocol-xmpp')).toBe(plugin);
    expect(plugin.services.map((s) => [s.name, s.defaultPort, s.mode])).toEqual([
      ['xmpp-client', 5222, 'starttls'],
      ['xmpp-server', 5269, 'starttls'],
      ['xmpps-client', 5223, 'implicit'],
      ['xmpps-server', 5270, 'implicit'],
    ]);
  });

  it('c2s: features before TLS, STARTTLS, stream restart, features after TLS', async () => {
    const s = await serve([
      { expectData: /<stream:stream[^>]*>/ },
      { send: P.C2S_HEADER + P.C2S_FEATURES_PLAIN },
      { expectData: "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" },
      { send: P.PROCEED },
      { startTls: true },
      { expectData: /<stream:stream[^>]*>/ },
      { send: P.C2S_HEADER_TLS + P.C2S_FEATURES_TLS },
      { expectData: '</stream:stream>' },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-client'), domain: 'xmpp.test', protocolId: 'xmpp' });
    expect(r.status).toBe('success');
    expect(r.banner).toBe("from='xmpp.test' version='1.0' id='f0ecca99-125c-4526-85a7-086d00e98c8e'");
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: P.PROCEED });
    expect(r.capabilities).toEqual({ beforeTls: ['starttls', 'mechanisms'], afterTls: ['mechanisms'] });
    expect(r.sasl).toEqual({ beforeTls: ['SCRAM-SHA-1'], afterTls: ['PLAIN', 'SCRAM-SHA-1'] });
    expect(Buffer.from(r.tls!.chain[0]!, 'base64').equals(cert.der)).toBe(true);
  });

  it('c2s: sends the target domain as `to` and a research-scanner `from`, then closes the stream', async () => {
    // The server answers only a header with exactly these attributes, so a wrong header ends in a timeout.
    const s = await serve([
      { expectData: /<stream:stream xmlns='jabber:client' xmlns:stream='http:\/\/etherx.jabber.org\/streams' from='wildtls-research-scanner.invalid' to='xmpp.test' version='1.0'>/ },
      { send: P.C2S_HEADER + P.C2S_FEATURES_PLAIN.replace(/<starttls[^>]*\/>/, '') },
      { expectData: '</stream:stream>' },
      { send: '</stream:stream>' },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-client'), domain: 'xmpp.test' });
    expect(r.status).toBe('no-starttls');
    expect(r.starttls).toEqual({ offered: false, upgraded: false });
    expect(r.capabilities).toEqual({ beforeTls: ['mechanisms'] });
  });

  it('s2s: jabber:server stream, starttls:required and dialback recorded', async () => {
    const s = await serve([
      { expectData: /<stream:stream[^>]*xmlns='jabber:server'[^>]*>/ },
      { send: P.S2S_HEADER + P.S2S_FEATURES_PLAIN },
      { expectData: '<starttls' },
      { send: P.PROCEED },
      { startTls: true },
      { expectData: /<stream:stream[^>]*>/ },
      { send: P.S2S_HEADER_TLS + P.S2S_FEATURES_TLS },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-server'), domain: 'xmpp.test' });
    expect(r.status).toBe('success');
    expect(r.capabilities).toEqual({ beforeTls: ['starttls', 'starttls:required', 'dialback'], afterTls: ['dialback'] });
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: [] });
    expect(r.starttls?.upgraded).toBe(true);
  });

  it('xmpps: implicit TLS, features recorded as after-TLS', async () => {
    const s = await serve([{ expectData: /<stream:stream[^>]*>/ }, { send: P.C2S_HEADER_TLS + P.C2S_FEATURES_TLS }], true);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpps-client'), domain: 'xmpp.test' });
    expect(r.status).toBe('success');
    expect(r.capabilities).toEqual({ afterTls: ['mechanisms'] });
    expect(r.sasl).toEqual({ afterTls: ['PLAIN', 'SCRAM-SHA-1'] });
    expect(r.starttls).toBeUndefined();
    expect(r.tls?.completed).toBe(true);
  });

  it('a <failure/> answer is starttls-refused with the exact reply', async () => {
    const failure = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    const s = await serve([
      { expectData: /<stream:stream[^>]*>/ },
      { send: P.C2S_HEADER + P.C2S_FEATURES_PLAIN },
      { expectData: '<starttls' },
      { send: failure + '</stream:stream>' },
    ]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-client'), domain: 'xmpp.test' });
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toEqual({ offered: true, upgraded: false, reply: failure });
    expect(r.sasl?.beforeTls).toEqual(['SCRAM-SHA-1']);
  });

  it('a stream error (host-unknown) is a protocol error naming the condition, with the banner kept', async () => {
    const s = await serve([{ expectData: /<stream:stream[^>]* to='127.0.0.1'[^>]*>/ }, { send: P.HOST_UNKNOWN }]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-client') });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('unexpected-reply');
    expect(r.error?.message).toContain('host-unknown');
    expect(r.banner).toBe("from='127.0.12.1' version='1.0' id='54e7f160-1f83-4ecd-a7b3-2eb253b0c662'");
  });

  it('uses the configured `to` for bare IPs and omits `from` when empty', async () => {
    const s = await serve([{ expectData: /<stream:stream xmlns='jabber:client' xmlns:stream='[^']*' to='example.org' version='1.0'>/ }, { send: P.HOST_UNKNOWN }]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-client'), options: { to: 'example.org', from: '' } });
    expect(r.error?.message).toContain('host-unknown');
  });

  it('a pre-1.0 stream (no version) has no features: no-starttls without waiting', async () => {
    const s = await serve([{ expectData: /<stream:stream[^>]*>/ }, { send: "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='old' from='old.test'>" }]);
    const r = await runDialogAgainst({ port: s.port, spec: service('xmpp-client'), readTimeoutMs: 5000 });
    expect(r.status).toBe('no-starttls');
    expect(r.banner).toBe("from='old.test' id='old'");
    expect(r.durationMs).toBeLessThan(4000);
  });
});
