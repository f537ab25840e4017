import { describe, expect, it } from 'vitest';
import { ClientHandshake } from '../../src/tls/client-handshake.js';
import { resolveProfile } from '../../src/tls/profiles.js';
import { RecordReader } from '../../src/tls/record-reader.js';
import { handshakeMessage } from '../../src/tls/bytes.js';
import { prf } from '../../src/tls/prf.js';
import { hkdfExpandLabel, hkdfExtract } from '../../src/tls/key-schedule13.js';

const machine = (name = 'compat') => {
  const hs = new ClientHandshake(resolveProfile(name), { observeOnly: true });
  hs.start();
  hs.drain();
  return hs;
};
const record = (type: number, body: Buffer, version = 0x0303) => Buffer.concat([Buffer.from([type, version >> 8, version & 255, body.length >> 8, body.length & 255]), body]);

describe('record layer', () => {
  it('reassembles records split and coalesced across reads', () => {
    const r = new RecordReader();
    const a = record(22, Buffer.alloc(10, 1));
    const b = record(21, Buffer.from([2, 40]));
    const all = Buffer.concat([a, b]);
    r.push(all.subarray(0, 3));
    expect(r.next()).toBeUndefined();
    r.push(all.subarray(3, 17));
    expect(r.next()?.fragment).toEqual(Buffer.alloc(10, 1));
    r.push(all.subarray(17));
    const second = r.next()!;
    expect(second).toMatchObject({ type: 21, offset: 15 });
  });

  it('peekRecord, skipRecord and takeFragment: records whole or not yet, offsets, the same failures as next()', () => {
    const recs = [record(22, Buffer.alloc(10, 1)), record(23, Buffer.alloc(300, 2), 0x0301), record(20, Buffer.from([1])), record(21, Buffer.from([2, 40])), record(23, Buffer.alloc(0))];
    const all = Buffer.concat(recs);
    for (let cut = 0; cut <= all.length; cut++) {
      const r = new RecordReader();
      const got: Array<[number, number, number, number, string]> = [];
      const drain = () => {
        for (let type = r.peekRecord(); type >= 0; type = r.peekRecord()) {
          const at = r.offset;
          const info = [type, r.recordVersion, r.recordLength, at] as const;
          // Records of type 23 skipped, the rest taken: the offsets run on the same either way.
          if (type === 23) {
            r.skipRecord();
            got.push([...info, 'skipped']);
          } else {
            got.push([...info, r.takeFragment().toString('hex')]);
          }
        }
      };
      r.push(all.subarray(0, cut));
      drain();
      r.push(all.subarray(cut));
      drain();
      expect(got, `cut at ${cut}`).toEqual([[22, 0x0303, 10, 0, '01'.repeat(10)], [23, 0x0301, 300, 15, 'skipped'], [20, 0x0303, 1, 320, '01'], [21, 0x0303, 2, 326, '0228'], [23, 0x0303, 0, 333, 'skipped']]);
      expect(r.pending).toBe(0);
      expect(r.offset).toBe(all.length);
    }
    // peekRecordIn: the same records read in place from the bytes, the offset moved on by passRecord.
    const inPlace = new RecordReader();
    const seen: Array<[number, number, number]> = [];
    for (let p = 0, type = inPlace.peekRecordIn(all, p); type >= 0; type = inPlace.peekRecordIn(all, p)) {
      seen.push([type, inPlace.recordLength, inPlace.offset]);
      inPlace.passRecord();
      p += 5 + inPlace.recordLength;
    }
    expect(seen).toEqual([[22, 10, 0], [23, 300, 15], [20, 1, 320], [21, 2, 326], [23, 0, 333]]);
    expect(inPlace.offset).toBe(all.length);
    expect(inPlace.peekRecordIn(all.subarray(0, 14), 0)).toBe(-1);
    expect(inPlace.peekRecordIn(all, all.length - 4)).toBe(-1);
    expect(() => inPlace.peekRecordIn(Buffer.from('220 mail'), 0)).toThrow(`not a TLS record (type 50, version 0x3230)`);
    inPlace.push(Buffer.from([22]));
    expect(() => inPlace.peekRecordIn(all, 0)).toThrow('bytes are queued');
    const bad = new RecordReader();
    bad.push(Buffer.from('220 mail'));
    expect(() => bad.peekRecord()).toThrow('not a TLS record (type 50, version 0x3230)');
    const big = new RecordReader();
    big.push(Buffer.from([23, 3, 3, 0xff, 0xff]));
    expect(() => big.peekRecord()).toThrow('record of 65535 bytes exceeds the maximum');
  });

  it('detects an SSLv2-format reply', () => {
    const hs = machine();
    // SSLv2 SERVER-HELLO: 2-byte header with the high bit, message type 4.
    hs.feed(Buffer.from([0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02]));
    expect(hs.info).toMatchObject({ sslv2Reply: true, version: 'SSLv2', error: { kind: 'unsupported' } });
  });

  it('classifies non-TLS bytes (a plaintext banner) as a protocol error at offset 0', () => {
    const hs = machine();
    hs.feed(Buffer.from('220 mail.example ESMTP\r\n'));
    expect(hs.info.error).toMatchObject({ kind: 'protocol', messageType: 'record', offset: 0 });
  });

  it('rejects an oversized record length before buffering it', () => {
    const hs = machine();
    hs.feed(Buffer.from([22, 3, 3, 0xff, 0xff]));
    expect(hs.info.error?.message).toMatch(/exceeds the maximum/);
  });

  it('several handshake messages in one record, one message across many records', () => {
    const hs = machine();
    const sh = handshakeMessage(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 9), Buffer.from([0, 0x00, 0x2f, 0])]));
    const cert = handshakeMessage(11, Buffer.concat([Buffer.from([0, 0, 7, 0, 0, 4]), Buffer.from('cert')]));
    const done = handshakeMessage(14, Buffer.alloc(0));
    const stream = Buffer.concat([sh, cert, done]);
    // ServerHello+half of Certificate in one record, the rest in 1-byte records.
    const cut = sh.length + 5;
    const recs = [record(22, stream.subarray(0, cut)), ...[...stream.subarray(cut)].map((b) => record(22, Buffer.from([b])))];
    hs.feed(Buffer.concat(recs));
    expect(hs.info.error).toBeUndefined();
    expect(hs.info).toMatchObject({ version: 'TLSv1.2', cipherSuite: { id: 0x2f, name: 'TLS_RSA_WITH_AES_128_CBC_SHA' }, keyExchange: { kind: 'RSA' }, notCompletedReason: 'observe-only' });
    expect(hs.info.chain).toEqual([Buffer.from('cert').toString('base64')]);
  });

  it('a truncated message inside a record reports the message type and stream offset', () => {
    const hs = machine();
    const sh = handshakeMessage(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 9), Buffer.from([40])]));
    hs.feed(record(22, sh));
    expect(hs.info.error).toMatchObject({ kind: 'protocol', messageType: 'ServerHello' });
    expect(hs.info.error!.offset).toBeGreaterThanOrEqual(9);
  });

  it('a server choosing a suite that was not offered is a protocol error', () => {
    const hs = machine('modern');
    const sh = handshakeMessage(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 9), Buffer.from([0, 0x00, 0x05, 0])]));
    hs.feed(record(22, sh));
    expect(hs.info.error?.message).toMatch(/not offered/);
  });

  it('a negotiated IDEA suite (no legacy provider in this process) is observed in full and not completed, with the reason', () => {
    const hs = new ClientHandshake(resolveProfile('compat'), { observeOnly: false });
    hs.start();
    hs.drain();
    const sh = handshakeMessage(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 9), Buffer.from([0, 0x00, 0x07, 0])]));
    const cert = handshakeMessage(11, Buffer.concat([Buffer.from([0, 0, 7, 0, 0, 4]), Buffer.from('cert')]));
    hs.feed(record(22, Buffer.concat([sh, cert, handshakeMessage(14, Buffer.alloc(0))])));
    expect(hs.drain()).toBeUndefined();
    expect(hs.info).toMatchObject({ completed: false, cipherSuite: { id: 7, name: 'TLS_RSA_WITH_IDEA_CBC_SHA' }, keyExchange: { kind: 'RSA' }, error: { kind: 'unsupported' } });
    expect(hs.info.notCompletedReason).toMatch(/IDEA-CBC needs OpenSSL's legacy provider/);
    expect(hs.info.chain).toHaveLength(1);
  });

  it('an SSL 3.0 server is observed in full (chain, suite) and not completed', () => {
    const hs = new ClientHandshake(resolveProfile('ssl3'), { observeOnly: false });
    hs.start();
    const hello = hs.drain()!;
    expect([...hello.subarray(0, 3)]).toEqual([22, 3, 0]);
    const sh = handshakeMessage(2, Buffer.concat([Buffer.from([3, 0]), Buffer.alloc(32, 9), Buffer.from([0, 0x00, 0x2f, 0])]));
    const cert = handshakeMessage(11, Buffer.concat([Buffer.from([0, 0, 7, 0, 0, 4]), Buffer.from('cert')]));
    hs.feed(record(22, Buffer.concat([sh, cert, handshakeMessage(14, Buffer.alloc(0))]), 0x0300));
    expect(hs.info).toMatchObject({ version: 'SSLv3', completed: false, cipherSuite: { name: 'TLS_RSA_WITH_AES_128_CBC_SHA' }, error: { kind: 'unsupported' } });
    expect(hs.info.notCompletedReason).toMatch(/SSL 3\.0/);
    expect(hs.info.chain).toHaveLength(1);
  });

  it('a warning alert (unrecognized_name) does not end a TLS 1.2 handshake; a fatal one does', () => {
    const hs = machine();
    hs.feed(record(21, Buffer.from([1, 112])));
    expect(hs.state).toBe('running');
    expect(hs.info.alert).toEqual({ level: 'warning', description: 'unrecognized_name', code: 112 });
    hs.feed(record(21, Buffer.from([2, 40])));
    expect(hs.info.error).toMatchObject({ kind: 'alert', message: 'server sent fatal alert handshake_failure (40)' });
  });
});

describe('key derivation', () => {
  it('TLS 1.2 PRF (SHA-256) matches the published test vector', () => {
    // Vector from the IETF TLS list (P_SHA256, 100 bytes), first 16 bytes checked.
    const out = prf(0x0303, 'sha256', Buffer.from('9bbe436ba940f017b17652849a71db35', 'hex'), 'test label', Buffer.from('a0ba9f936cda311827a6f796ffd5198c', 'hex'), 100);
    expect(out.subarray(0, 16).toString('hex')).toBe('e3f229ba727be17b8d122620557cd453');
  });

  it('TLS 1.3 key schedule matches RFC 8448 (early secret and derived handshake key)', () => {
    const early = hkdfExtract('sha256', Buffer.alloc(0), Buffer.alloc(32));
    expect(early.toString('hex')).toBe('33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a');
    // RFC 8448 simple 1-RTT: server handshake traffic secret -> key.
    const sHs = Buffer.from('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38', 'hex');
    expect(hkdfExpandLabel('sha256', sHs, 'key', Buffer.alloc(0), 16).toString('hex')).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(hkdfExpandLabel('sha256', sHs, 'iv', Buffer.alloc(0), 12).toString('hex')).toBe('5d313eb2671276ee13000b30');
  });
});
