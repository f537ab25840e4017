import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server as TcpServer } from 'node:net';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../src/dns/dns-transport.js';
import { SecureResolver } from '../src/dns/secure-resolver.js';
import { listenOn } from '../../../test/harness/listen.js';

// A scripted resolver on this suite's loopback range: each test says what it answers, byte for byte.
const HOST = '127.0.67.80';
type Reply = (q: dnsPacket.DecodedPacket, send: (b: Buffer) => void) => void;
let udp: Socket | undefined;
let tcp: TcpServer | undefined;

async function serve(onUdp: Reply, onTcp?: Reply): Promise<number> {
  udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => onUdp(dnsPacket.decode(msg), (b) => udp!.send(b, rinfo.port, rinfo.address)));
  await new Promise<void>((r) => udp!.bind(0, HOST, r));
  const port = udp.address().port;
  if (onTcp) {
    tcp = createServer((s) => s.once('data', (d: Buffer) => onTcp(dnsPacket.decode(d.subarray(2)), (b) => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(b.length);
      s.end(Buffer.concat([len, b]));
    })));
    await listenOn(tcp!, port, HOST);
  }
  return port;
}

afterEach(async () => {
  udp?.close();
  udp = undefined;
  await new Promise<void>((r) => (tcp ? tcp.close(() => r()) : r()));
  tcp = undefined;
});

const answer = (q: dnsPacket.DecodedPacket, flags: number, answers: dnsPacket.Answer[], over: Partial<dnsPacket.Packet> = {}) =>
  dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | flags, questions: q.questions, answers, ...over });
const txt = (name: string, s: string): dnsPacket.Answer => ({ type: 'TXT', name, ttl: 60, data: [s] });
const SERVFAIL = 2;

describe('DNS transport against a hostile or odd resolver', () => {
  it('sends DO, reads AD; CD only when asked', async () => {
    const seen: Array<{ cd: boolean; do: boolean }> = [];
    const port = await serve((q, send) => {
      const opt = q.additionals?.find((a) => a.type === 'OPT') as { flags?: number } | undefined;
      seen.push({ cd: q.flag_cd, do: ((opt?.flags ?? 0) & dnsPacket.DNSSEC_OK) !== 0 });
      send(answer(q, dnsPacket.AUTHENTIC_DATA, [txt('a.test', 'x')]));
    });
    const a = await query({ host: HOST, port }, 'a.test', 'TXT', false, 1000);
    expect(a).toMatchObject({ rcode: 'NOERROR', ad: true });
    await query({ host: HOST, port }, 'a.test', 'TXT', true, 1000);
    expect(seen).toEqual([{ cd: false, do: true }, { cd: true, do: true }]);
  });

  it('drops garbage, a wrong id and an answer to another question; takes the real reply', async () => {
    const port = await serve((q, send) => {
      send(Buffer.from('garbage, not DNS'));
      send(answer({ ...q, id: ((q.id ?? 0) + 1) % 65536 }, dnsPacket.AUTHENTIC_DATA, [txt('a.test', 'spoofed')]));
      send(answer({ ...q, questions: [{ type: 'TXT', name: 'other.test' }] }, dnsPacket.AUTHENTIC_DATA, [txt('other.test', 'spoofed')]));
      send(answer(q, 0, [txt('a.test', 'real')]));
    });
    const a = await query({ host: HOST, port }, 'a.test', 'TXT', false, 1000);
    expect(a.ad).toBe(false);
    expect((a.answers[0] as { data: Buffer[] }).data.map(String)).toEqual(['real']);
  });

  it('a silent resolver is a timeout (one retry), not a hang', async () => {
    let asked = 0;
    const port = await serve(() => void asked++);
    await expect(query({ host: HOST, port }, 'a.test', 'TXT', false, 200)).rejects.toThrow(/timeout/);
    expect(asked).toBe(2);
  });

  it('a truncated UDP answer is asked again over TCP', async () => {
    const port = await serve(
      (q, send) => send(answer(q, dnsPacket.TRUNCATED_RESPONSE, [])),
      (q, send) => send(answer(q, dnsPacket.AUTHENTIC_DATA, [txt('a.test', 'over tcp')])),
    );
    const a = await query({ host: HOST, port }, 'a.test', 'TXT', false, 1000);
    expect(a.ad).toBe(true);
    expect((a.answers[0] as { data: Buffer[] }).data.map(String)).toEqual(['over tcp']);
  });

  it('the resolver calls SERVFAIL-then-answered-with-CD bogus, SERVFAIL both ways an error', async () => {
    const port = await serve((q, send) => {
      if (q.questions![0]!.name === 'bogus.test' && q.flag_cd) send(answer(q, 0, [txt('bogus.test', 'x')]));
      else send(answer(q, SERVFAIL, []));
    });
    const r = new SecureResolver({ server: { host: HOST, port }, timeoutMs: 500, concurrency: 2, rate: 1000, maxQueries: 10, cacheSize: 10 });
    expect(await r.lookup('bogus.test', 'TXT', () => 1)).toMatchObject({ status: 'bogus', records: [] });
    expect(await r.lookup('broken.test', 'TXT', () => 1)).toMatchObject({ status: 'error', records: [] });
    expect(r.queries).toBe(4);
  });

  it('stops at the query cap', async () => {
    const port = await serve((q, send) => send(answer(q, 0, [txt(q.questions![0]!.name, 'x')])));
    const r = new SecureResolver({ server: { host: HOST, port }, timeoutMs: 500, concurrency: 2, rate: 1000, maxQueries: 2, cacheSize: 10 });
    expect((await r.lookup('a.test', 'TXT', () => 1)).status).toBe('insecure');
    expect((await r.lookup('b.test', 'TXT', () => 1)).status).toBe('insecure');
    expect(await r.lookup('c.test', 'TXT', () => 1)).toMatchObject({ status: 'error', why: 'query cap reached (2)' });
  });
});
