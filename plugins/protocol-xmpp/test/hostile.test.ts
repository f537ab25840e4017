import { afterAll, describe, expect, it } from 'vitest';
import { startScriptedServer, runDialogAgainst, type ScriptStep, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-xmpp';
import * as P from './fixtures/prosody-0.12.js';

const c2s = plugin.services.find((s) => s.name === 'xmpp-client')!;
const servers: ScriptedServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Run the c2s dialog against a server that answers our stream header with `script`. */
async function probe(script: ScriptStep[], opts: { readTimeoutMs?: number; options?: unknown } = {}) {
  const s = await startScriptedServer({ script: [{ expectData: /<stream:stream[^>]*>/ }, ...script] });
  servers.push(s);
  return runDialogAgainst({ port: s.port, spec: c2s, readTimeoutMs: opts.readTimeoutMs ?? 1000, probeTimeoutMs: 8000, options: opts.options });
}

describe('xmpp plugin: hostile servers', () => {
  it('an entity bomb behind a DOCTYPE is refused at once', async () => {
    const bomb = `<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features>&lol9;</stream:features>`;
    const r = await probe([{ send: bomb }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
    expect(r.error?.message).toContain('DOCTYPE');
  });

  it('an undefined entity (no DTD) is a malformed reply, never expanded', async () => {
    const r = await probe([{ send: P.C2S_HEADER + '<stream:features>&xxe;</stream:features>' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
    expect(r.banner).toBe("from='xmpp.test' version='1.0' id='f0ecca99-125c-4526-85a7-086d00e98c8e'");
  });

  it('never-ending features (endless child elements) hit the element cap', async () => {
    const r = await probe([{ send: P.C2S_HEADER + '<stream:features>' + '<x/>'.repeat(5000) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
  });

  it('an overlong stream (one huge text node) hits the stream byte cap', async () => {
    const r = await probe([{ send: P.C2S_HEADER + '<stream:features><starttls>' + 'A'.repeat(300_000) }], { options: { maxStreamBytes: 65536 } });
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
    expect(r.error?.message).toContain('65536');
  });

  it('deep nesting hits the depth cap', async () => {
    const r = await probe([{ send: P.C2S_HEADER + '<stream:features>' + '<a>'.repeat(100) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('reply-too-large');
  });

  it('a slow drip of features ends at the per-element deadline, not per byte', async () => {
    const drip: ScriptStep[] = [...P.C2S_FEATURES_PLAIN].map((ch) => ({ send: ch, delayMs: 40 }));
    const r = await probe([{ send: P.C2S_HEADER }, ...drip], { readTimeoutMs: 600 });
    expect(r.status).toBe('timeout');
    expect(r.error?.reason).toBe('read-timeout');
    expect(r.banner).toContain("from='xmpp.test'");
  });

  it('binary garbage is a malformed reply', async () => {
    const r = await probe([{ send: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03, 0xff, 0xfe]) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('invalid UTF-8 is a malformed reply', async () => {
    const r = await probe([{ send: Buffer.concat([Buffer.from(P.C2S_HEADER + '<stream:features><x>'), Buffer.from([0xc3, 0x28])]) }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('a line protocol (an SMTP banner) is not an XMPP stream', async () => {
    const r = await probe([{ send: '220 mail.example ESMTP\r\n' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('malformed-reply');
  });

  it('a root element other than stream:stream is an unexpected reply', async () => {
    const r = await probe([{ send: "<html xmlns='http://www.w3.org/1999/xhtml'>" }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('unexpected-reply');
  });

  it('silence is a timeout', async () => {
    const r = await probe([], { readTimeoutMs: 300 });
    expect(r.status).toBe('timeout');
  });

  it('a server that hangs up after its header is connection-closed', async () => {
    const r = await probe([{ send: P.C2S_HEADER }, { close: true }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('connection-closed');
  });

  it('STARTTLS accepted and plaintext in the same flight: refused as an injection hazard, no handshake', async () => {
    const r = await probe([{ send: P.C2S_HEADER + P.C2S_FEATURES_PLAIN }, { expectData: '<starttls' }, { send: P.PROCEED + '<message>injected</message>' }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('unexpected-reply');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: P.PROCEED });
    expect(r.tls).toBeUndefined();
  });

  it('STARTTLS accepted, then plaintext garbage instead of a ServerHello: tls-failed', async () => {
    const r = await probe([{ send: P.C2S_HEADER + P.C2S_FEATURES_PLAIN }, { expectData: '<starttls' }, { send: P.PROCEED }, { send: 'this is not TLS at all\r\n'.repeat(4), delayMs: 50 }]);
    expect(r.status).toBe('tls-failed');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: P.PROCEED });
    expect(r.tls?.completed).toBe(false);
    expect(r.sasl?.beforeTls).toEqual(['SCRAM-SHA-1']);
  });

  it('an unexpected answer to <starttls/> is a protocol error', async () => {
    const r = await probe([{ send: P.C2S_HEADER + P.C2S_FEATURES_PLAIN }, { expectData: '<starttls' }, { send: "<iq type='error' id='x'/>" }]);
    expect(r.status).toBe('protocol-error');
    expect(r.error?.reason).toBe('unexpected-reply');
  });
});
