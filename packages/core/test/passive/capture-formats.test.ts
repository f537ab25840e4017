import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCaptureFlows } from '@wildtls/core';
import { frame, ipPacket, LINK_TYPES, pcapFile, pcapngFile, type Link, type TcpSpec } from './capture-builder.js';
import { recordFlows } from './recording-handler.js';

const T0 = 1_700_000_000_000;
const ports = new Set([993]);

function exchange(client: string, server: string, extra: Partial<TcpSpec> = {}): TcpSpec[] {
  const c = { src: client, dst: server, sport: 51000, dport: 993, ...extra };
  const s = { src: server, dst: client, sport: 993, dport: 51000, ...extra };
  return [
    { ...c, seq: 10, flags: 'S' },
    { ...s, seq: 70, ack: 11, flags: 'SA' },
    { ...c, seq: 11, ack: 71, payload: 'hello server' },
    { ...s, seq: 71, ack: 23, payload: 'hello client' },
  ];
}

describe('capture formats and link types', () => {
  const links = Object.keys(LINK_TYPES) as Link[];
  for (const link of links) {
    for (const [family, c, s] of [['IPv4', '192.0.2.1', '192.0.2.2'], ['IPv6', '2001:db8::1', '2001:db8::2']] as const) {
      it(`${link} (link type ${LINK_TYPES[link]}) with ${family}`, async () => {
        const file = pcapFile(LINK_TYPES[link], exchange(c, s).map((t, i) => ({ ts: T0 + i, data: frame(link, ipPacket(t)) })));
        const { flows, stats } = await recordFlows([file], { watchPorts: ports });
        expect(flows).toHaveLength(1);
        expect(flows[0]!.start).toMatchObject({ clientIp: c, serverIp: s, clientPort: 51000, serverPort: 993, midStream: false });
        expect(flows[0]!.client.toString()).toBe('hello server');
        expect(flows[0]!.server.toString()).toBe('hello client');
        expect(stats.packets).toBe(4);
      });
    }
  }

  it('trims Ethernet padding by the IP length (a short frame is padded to 60 bytes)', async () => {
    const pkts = exchange('192.0.2.1', '192.0.2.2').map((t, i) => {
      const f = frame('ethernet', ipPacket(t));
      const padded = new Uint8Array(Math.max(60, f.length)).fill(0xee);
      padded.set(f);
      return { ts: T0 + i, data: padded };
    });
    const { flows } = await recordFlows([pcapFile(1, pkts)], { watchPorts: ports });
    expect(flows[0]!.client.toString()).toBe('hello server');
  });

  it('skips IPv4 options, skips later fragments (and counts them), follows an IPv6 extension chain, skips a later IPv6 fragment', async () => {
    const specs: TcpSpec[] = [
      { src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 1, payload: 'opt', ipOptions: 8 },
      { src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 4, payload: 'frag', fragmentOffset: 10 },
      { src: '2001:db8::1', dst: '2001:db8::2', sport: 51000, dport: 993, seq: 1, payload: 'ext', v6Extensions: [0, 60, 43, 44] },
      { src: '2001:db8::1', dst: '2001:db8::2', sport: 51000, dport: 993, seq: 4, payload: 'late', v6Extensions: [44], v6FragmentOffset: 5 },
    ];
    const { flows, stats } = await recordFlows([pcapFile(101, specs.map((t, i) => ({ ts: T0 + i, data: ipPacket(t) })))], { watchPorts: ports });
    expect(flows.map((f) => [f.start.clientIp, f.client.toString()])).toEqual([['192.0.2.1', 'opt'], ['2001:db8::1', 'ext']]);
    expect(stats.fragmentsSkipped).toBe(2);
  });

  it('an IP length of 0 (segmentation offload on the capturing host, IPv4 and IPv6) ends the payload at the frame, packets after others in the file', async () => {
    for (const [c, s] of [['192.0.2.1', '192.0.2.2'], ['2001:db8::1', '2001:db8::2']]) {
      const pkts = exchange(c!, s!).map((t, i) => {
        const ip = ipPacket(t);
        if (t.payload) {
          if (c!.includes(':')) ip[4] = ip[5] = 0; // IPv6 payload length
          else ip[2] = ip[3] = 0; // IPv4 total length
        }
        return { ts: T0 + i, data: frame('ethernet', ip) };
      });
      const { flows, stats } = await recordFlows([pcapFile(1, pkts)], { watchPorts: ports });
      expect(stats.truncatedPackets).toBe(0);
      expect(flows.map((f) => [f.client.toString(), f.server.toString()])).toEqual([['hello server', 'hello client']]);
    }
  });

  it('frames too short for their link header, after whole ones in the file, are counted as truncated', async () => {
    const whole = frame('ethernet', ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 1, flags: 'S' }));
    const pkts = [whole, whole.subarray(0, 13), frame('sll2', ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 1 })).subarray(0, 19), whole.subarray(0, 3)];
    const eth = pcapFile(1, pkts.slice(0, 2).map((data, i) => ({ ts: T0 + i, data })));
    const sll2 = pcapFile(276, [{ ts: T0 + 2, data: frame('sll2', ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 1 })) }, { ts: T0 + 3, data: pkts[2]! }]);
    const nul = pcapFile(0, [{ ts: T0 + 4, data: frame('null', ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 1 })) }, { ts: T0 + 5, data: pkts[3]! }]);
    const { stats } = await recordFlows([eth, sll2, nul], { watchPorts: ports });
    expect(stats).toMatchObject({ packets: 6, truncatedPackets: 3 });
  });

  it('counts link types it does not decode, non-IP frames and non-TCP packets', async () => {
    const tcp = ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 1, dport: 993, seq: 1 });
    const udp = Uint8Array.from(tcp);
    udp[9] = 17;
    const arp = frame('ethernet', tcp);
    arp[12] = 0x08; arp[13] = 0x06;
    const a = pcapFile(147, [{ ts: T0, data: tcp }]);
    const b = pcapFile(1, [{ ts: T0, data: arp }, { ts: T0, data: frame('ethernet', udp) }]);
    const { stats } = await recordFlows([a, b], { watchPorts: ports });
    expect(stats).toMatchObject({ files: 2, packets: 3, skippedLinkTypes: { 147: 1 }, nonIp: 1, nonTcp: 1, flows: 0 });
  });

  it('a payload cut by the snap length is a gap of the missing bytes, never garbage', async () => {
    const full = ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 1, payload: 'abcdefghij' });
    const cut = full.subarray(0, full.length - 6);
    const next = ipPacket({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 11, payload: 'KLM' });
    const file = pcapFile(101, [{ ts: T0, data: cut, wireLength: full.length }, { ts: T0 + 1, data: next }]);
    const { flows, stats } = await recordFlows([file], { watchPorts: ports });
    expect(flows[0]!.events).toEqual(['client:4', 'client:gap6', 'client:3']);
    expect(flows[0]!.client.toString()).toBe('abcdKLM');
    expect(stats.snaplenCut).toBe(1);
  });

  for (const [le, nano] of [[true, false], [false, false], [true, true], [false, true]] as const) {
    it(`pcap ${le ? 'little' : 'big'}-endian, ${nano ? 'nano' : 'micro'}second timestamps`, async () => {
      const ts = T0 + 0.123456; // 123.456 microseconds past the millisecond
      const file = pcapFile(101, exchange('192.0.2.1', '192.0.2.2').map((t, i) => ({ ts: ts + i, data: ipPacket(t) })), { le, nano });
      const { flows } = await recordFlows([file], { watchPorts: ports });
      expect(flows[0]!.start.ts).toBeCloseTo(ts, 3);
      expect(flows[0]!.server.toString()).toBe('hello client');
    });
  }

  it('pcapng: sections of both byte orders, several interfaces with their link types and tsresol, EPB/SPB/OPB, unknown blocks skipped', async () => {
    const v4 = exchange('192.0.2.1', '192.0.2.2');
    const v6 = exchange('2001:db8::1', '2001:db8::2');
    const t = 1_000_000.000789; // a small epoch keeps nanoseconds exact in a double
    const file = pcapngFile([
      {
        le: true,
        interfaces: [{ linkType: 1 }, { linkType: 276, tsresol: 9 }],
        unknownBlocks: 2,
        packets: [
          { ts: t, iface: 1, data: frame('sll2', ipPacket(v4[0]!)) },
          { ts: t + 1, iface: 0, block: 'opb', data: frame('ethernet', ipPacket(v4[1]!)) },
          { ts: t + 2, iface: 1, data: frame('sll2', ipPacket(v4[2]!)) },
        ],
      },
      {
        le: false,
        interfaces: [{ linkType: 101, tsresol: 3 }, { linkType: 113 }],
        unknownBlocks: 1,
        packets: [
          { ts: t + 3, iface: 1, data: frame('sll', ipPacket(v4[3]!)) },
          { ts: t + 4, iface: 0, block: 'spb', data: ipPacket(v6[0]!) },
          { ts: t + 5, iface: 0, data: ipPacket(v6[2]!) },
        ],
      },
    ]);
    const { flows } = await recordFlows([file], { watchPorts: ports });
    expect(flows.map((f) => [f.start.clientIp, f.client.toString(), f.server.toString(), f.start.midStream])).toEqual([
      ['192.0.2.1', 'hello server', 'hello client', false],
      ['2001:db8::1', 'hello server', '', false],
    ]);
    expect(flows[0]!.start.ts).toBeCloseTo(t, 6); // nanosecond resolution kept
  });

  it('reads gzip, several files in order as one capture, and the same bytes however the stream is chunked', async () => {
    const specs = exchange('192.0.2.1', '192.0.2.2');
    const first = pcapFile(101, specs.slice(0, 2).map((t, i) => ({ ts: T0 + i, data: ipPacket(t) })));
    const second = pcapngFile([{ interfaces: [{ linkType: 101 }], packets: specs.slice(2).map((t, i) => ({ ts: T0 + 2 + i, data: ipPacket(t) })) }]);
    const { flows } = await recordFlows([gzipSync(first), second], { watchPorts: ports });
    expect(flows).toHaveLength(1);
    expect([flows[0]!.client.toString(), flows[0]!.server.toString(), flows[0]!.start.midStream]).toEqual(['hello server', 'hello client', false]);
    // One byte at a time through the stream: every record spans chunks.
    for (const file of [first, second, gzipSync(second)]) {
      const oneByOne: string[] = [];
      const stats = await readCaptureFlows({ name: 'bytes', stream: Readable.from([...file].map((b) => Buffer.from([b]))) }, () => ({ data(d, b) { oneByOne.push(`${d}:${Buffer.from(b).toString()}`); }, gap() {}, end() {} }), { watchPorts: ports });
      expect(stats.packets).toBe(2);
      expect(oneByOne.length).toBeLessThanOrEqual(2);
    }
  });
});

describe('records that span the chunks of the stream', () => {
  // Payloads of a few KiB, so that at most chunk sizes records span chunks in every way: the header
  // cut, the body cut, several records in one chunk, one record over several chunks.
  const sizes = [1400, 3000, 17, 2500];
  const payloads = sizes.map((n, i) => String.fromCharCode(97 + i).repeat(n));
  const specs: TcpSpec[] = [{ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq: 10, flags: 'S' }];
  let seq = 11;
  for (const p of payloads) {
    specs.push({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 993, seq, payload: p });
    seq += p.length;
  }
  const packets = specs.map((t, i) => ({ ts: T0 + i, data: ipPacket(t) }));
  const files: Array<[string, Buffer]> = [
    ['pcap', pcapFile(101, packets)],
    ['pcapng little-endian, with unknown blocks', pcapngFile([{ interfaces: [{ linkType: 101 }], packets, unknownBlocks: 3 }])],
    ['pcapng big-endian, two sections', pcapngFile([{ le: false, interfaces: [{ linkType: 101 }], packets: packets.slice(0, 3), unknownBlocks: 2 }, { interfaces: [{ linkType: 101 }], packets: packets.slice(3), unknownBlocks: 1 }])],
  ];
  for (const [name, file] of files) {
    it(`${name}: the same packets and bytes at every chunk size`, async () => {
      const want = payloads.join('');
      for (const size of [1, 2, 3, 5, 7, 11, 13, 16, 17, 24, 100, 1000, 1500, 1501, 3001, 4096, file.length - 1, file.length]) {
        const chunks: Buffer[] = [];
        for (let at = 0; at < file.length; at += size) chunks.push(file.subarray(at, at + size));
        let got = '';
        const stats = await readCaptureFlows({ name: `chunks of ${size}`, stream: Readable.from(chunks) }, () => ({ data(d, b) { if (d === 'client') got += Buffer.from(b).toString(); }, gap() {}, end() {} }), { watchPorts: ports });
        expect([size, stats.packets, stats.truncatedFiles, stats.gaps]).toEqual([size, packets.length, 0, 0]);
        expect(got === want, `chunks of ${size}: ${got.length} bytes delivered of ${want.length}`).toBe(true);
      }
    });
  }
});
