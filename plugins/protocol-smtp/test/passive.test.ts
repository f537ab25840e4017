import { describe, expect, it } from 'vitest';
import { createPassiveFlowFactory, type FlowDirection, type ProbeRecord, type ServiceSpec } from '@wildtls/core';
import plugin from '../src/index.js';

/** The SMTP passive dialog on declared transcripts: what each side sent, in order, cut in given places. */
const spec = plugin.services.find((s) => s.name === 'smtp') as ServiceSpec;

function follow(steps: Array<[FlowDirection, string | Buffer]>, cut = 0): ProbeRecord {
  const out: ProbeRecord[] = [];
  const factory = createPassiveFlowFactory({ ports: new Map([[25, { spec, protocolId: 'smtp' }]]) }, (r) => out.push(r));
  const h = factory({ clientIp: '127.0.63.30', clientPort: 5000, serverIp: '127.0.63.31', serverPort: 25, ts: 0, midStream: false })!;
  for (const [dir, data] of steps) {
    const b = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    if (cut > 0) for (let i = 0; i < b.length; i += cut) h.data(dir, b.subarray(i, i + cut), 1);
    else h.data(dir, b, 1);
    if (h.done) break;
  }
  h.end('fin', 2);
  expect(out).toHaveLength(1);
  return out[0]!;
}

const EHLO = '250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n';
const HELLO = Buffer.from('16030100050100000100', 'hex'); // a ClientHello record start (the bytes after STARTTLS)

describe('SMTP passive dialog', () => {
  for (const cut of [0, 1, 3]) {
    it(`refused STARTTLS: the client's bytes sent meanwhile are clear text again (cut every ${cut || 'never'})`, () => {
      const r = follow([
        ['server', '220 mx.test ESMTP\r\n'],
        ['client', 'EHLO c.test\r\n'],
        ['server', EHLO],
        ['client', 'STARTTLS\r\nAUTH LOGIN\r\n'],
        ['server', '454 4.7.0 TLS not available\r\n'],
      ], cut);
      expect(r.status).toBe('starttls-refused');
      expect(r.starttls).toEqual({ offered: true, upgraded: false, reply: '454 4.7.0 TLS not available' });
      expect(r.capabilities).toEqual({ beforeTls: ['PIPELINING', 'STARTTLS', 'AUTH PLAIN LOGIN'] });
      expect(r.sasl).toEqual({ beforeTls: ['PLAIN', 'LOGIN'] });
      expect(r.passive).toMatchObject({ starttlsRequested: true, clientMechanism: 'LOGIN', endReason: 'dialog-stopped' });
    });
  }

  it('accepted STARTTLS: the client bytes after the command are the TLS follower\'s, not the dialog\'s', () => {
    const r = follow([
      ['server', '220 mx.test ESMTP\r\n'],
      ['client', 'EHLO c.test\r\n'],
      ['server', EHLO],
      ['client', Buffer.concat([Buffer.from('STARTTLS\r\n'), HELLO])],
      ['server', '220 go ahead\r\n'],
    ]);
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '220 go ahead' });
    expect(r.tls).toBeDefined();
    expect(r.tls!.completed).toBe(false);
    expect(r.passive!.clientMechanism).toBeUndefined();
  });

  it('AUTH PLAIN with an initial response keeps the mechanism, never the credential', () => {
    const cred = Buffer.from('\0user\0secret').toString('base64');
    const r = follow([
      ['server', '220 mx.test ESMTP\r\n'],
      ['client', 'EHLO c.test\r\n'],
      ['server', EHLO],
      ['client', `AUTH PLAIN ${cred}\r\n`],
      ['server', '235 ok\r\n'],
    ]);
    expect(r.passive!.clientMechanism).toBe('PLAIN');
    expect(JSON.stringify(r)).not.toContain(cred);
  });

  it('stops at MAIL in the clear: no envelope or message content is read', () => {
    const r = follow([
      ['server', '220 mx.test ESMTP\r\n'],
      ['client', 'EHLO c.test\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSTARTTLS\r\n'],
    ]);
    expect(r.passive).toMatchObject({ endReason: 'dialog-stopped', starttlsRequested: false });
    expect(JSON.stringify(r)).not.toContain('a@b');
  });

  it('a flood of overlong lines costs bounded memory and ends the dialog', () => {
    const line = 'x'.repeat(100_000);
    const r = follow([['server', `220 ${line}\r\n`], ['client', `${line}\r\n`.repeat(5)]]);
    expect(r.banner!.length).toBeLessThanOrEqual(2049);
    expect(r.status).toBe('no-starttls');
  });
});
