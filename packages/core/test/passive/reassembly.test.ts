import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frame, ipPacket, pcapFile, type CapturedPacket, type TcpSpec } from './capture-builder.js';
import { recordFlows } from './recording-handler.js';

const C = '10.1.0.1';
const S = '10.2.0.2';
const base = { src: C, dst: S, sport: 40000, dport: 25 };
const back = { src: S, dst: C, sport: 25, dport: 40000 };
const T0 = 1_700_000_000_000;

/** Raw-IP capture of these segments, 1 ms apart. */
function cap(specs: TcpSpec[], t0 = T0): Buffer {
  return pcapFile(101, specs.map((s, i): CapturedPacket => ({ ts: t0 + i, data: frame('raw', ipPacket(s)) })));
}

const ports = new Set([25]);

describe('TCP reassembly', () => {
  it('delivers both directions in order, once, and ends with fin after a handshake', async () => {
    const { flows, stats } = await recordFlows([cap([
      { ...base, seq: 1000, flags: 'S' },
      { ...back, seq: 5000, ack: 1001, flags: 'SA' },
      { ...base, seq: 1001, ack: 5001 },
      { ...back, seq: 5001, ack: 1001, payload: '220 hi\r\n' },
      { ...base, seq: 1001, ack: 5009, payload: 'EHLO x\r\n' },
      { ...base, seq: 1001, ack: 5009, payload: 'EHLO x\r\n' }, // retransmission
      { ...back, seq: 5009, ack: 1009, payload: '250 ok\r\n', flags: 'AF' },
      { ...base, seq: 1009, ack: 5018, flags: 'AF' },
      { ...back, seq: 5018, ack: 1010 },
    ])], { watchPorts: ports });
    expect(flows).toHaveLength(1);
    const f = flows[0]!;
    expect(f.start).toMatchObject({ clientIp: C, clientPort: 40000, serverIp: S, serverPort: 25, midStream: false, ts: T0 });
    expect(f.server.toString()).toBe('220 hi\r\n250 ok\r\n');
    expect(f.client.toString()).toBe('EHLO x\r\n');
    expect(f.end).toBe('fin');
    expect(stats).toMatchObject({ packets: 9, flows: 1, flowsWatched: 1, gaps: 0 });
  });

  it('puts reordered segments in order, and overlapping copies give each byte once (the first copy wins)', async () => {
    const { flows } = await recordFlows([cap([
      { ...base, seq: 99, flags: 'S' },
      { ...base, seq: 110, payload: 'B'.repeat(10) }, // [10, 20)
      { ...base, seq: 105, payload: 'C'.repeat(10) }, // [5, 15): only [5, 10) is new
      { ...base, seq: 112, payload: 'D'.repeat(12) }, // [12, 24): only [20, 24) is new
      { ...base, seq: 100, payload: 'A'.repeat(7) }, // [0, 7): [5, 7) is already held
      { ...base, seq: 124, payload: 'E' },
    ])], { watchPorts: ports });
    expect(flows[0]!.client.toString()).toBe('AAAAACCCCCBBBBBBBBBBDDDDE');
    expect(flows[0]!.events.filter((e) => e.includes('gap'))).toEqual([]);
    expect(flows[0]!.end).toBe('capture-end');
  });

  it('connections interleaved so that each packet is found by its 4-tuple in the table (not as the last or a recent flow), both directions one flow', async () => {
    // Client ports 256 apart share a recent-flow slot; the server's address is below, equal to, or above the client's.
    for (const [client, server] of [['10.1.0.1', '10.0.0.9'], ['10.1.0.1', '10.1.0.1'], ['10.1.0.1', '10.200.0.1'], ['2001:db8::1', '2001:db8::2']]) {
      const conns = [40000, 40256, 40512].map((sport) => ({ c: { src: client!, dst: server!, sport, dport: 25 }, s: { src: server!, dst: client!, sport: 25, dport: sport } }));
      const specs: TcpSpec[] = [
        ...conns.map(({ c }) => ({ ...c, seq: 100, flags: 'S' })),
        ...conns.map(({ s }) => ({ ...s, seq: 500, ack: 101, flags: 'SA' })),
        ...conns.map(({ c }, i) => ({ ...c, seq: 101, ack: 501, payload: `hello ${i}` })),
        ...conns.map(({ s }, i) => ({ ...s, seq: 501, ack: 108, payload: `reply ${i}` })),
      ];
      const { flows, stats } = await recordFlows([cap(specs)], { watchPorts: ports });
      expect(stats.flows, `${client} -> ${server}`).toBe(3);
      expect(flows.map((f) => [f.start.clientPort, f.start.midStream, f.client.toString(), f.server.toString()])).toEqual(
        conns.map(({ c }, i) => [c.sport, false, `hello ${i}`, `reply ${i}`]));
    }
  });

  it('a segment that repeats the end of what was delivered and goes on (nothing held) delivers only its new bytes', async () => {
    const { flows } = await recordFlows([cap([
      { ...base, seq: 99, flags: 'S' },
      { ...base, seq: 100, payload: 'abcdef' },
      { ...base, seq: 103, payload: 'defghi' }, // [3, 9): [6, 9) is new
      { ...base, seq: 109, payload: 'jk' },
    ])], { watchPorts: ports });
    expect(flows[0]!.client.toString()).toBe('abcdefghijk');
    expect(flows[0]!.events).toEqual(['client:6', 'client:3', 'client:2']);
  });

  it('bytes held ahead of a hole stay right while the capture file is read on (its read buffers are reused)', async () => {
    // A's second segment comes first and is held; ~1 MB of another connection's packets (each under the size
    // whose payload is jumped over, so all are read) passes before the first: many reads into the same buffers.
    const other = { src: '10.3.0.3', dst: S, sport: 50000, dport: 8080 };
    const filler = Array.from({ length: 600 }, (_, i): TcpSpec => ({ ...other, seq: 1 + i * 2500, payload: String.fromCharCode(65 + (i % 26)).repeat(2500) }));
    // (The first ~400 KB first: the file's first read is into a buffer of its own, the later ones into two in turn.)
    const specs: TcpSpec[] = [
      ...filler.slice(0, 160),
      { ...base, seq: 0, flags: 'S' },
      { ...base, seq: 1 + 5, payload: 'world!' },
      ...filler.slice(160),
      { ...base, seq: 1, payload: 'hello' },
    ];
    const file = join(mkdtempSync(join(tmpdir(), 'wildtls-reassembly-')), 'held.pcap');
    writeFileSync(file, cap(specs));
    const { flows } = await recordFlows([file], { watchPorts: ports });
    expect(flows).toHaveLength(1);
    expect(flows[0]!.client.toString()).toBe('helloworld!');
  });

  it('follows the sequence numbers across the 2^32 wrap, in order and out of order', async () => {
    const isn = 0xfffffff0;
    const { flows } = await recordFlows([cap([
      { ...base, seq: isn, flags: 'S' },
      { ...base, seq: isn + 1, payload: 'a'.repeat(10) }, // up to 0xfffffffb
      { ...base, seq: (isn + 21) >>> 0, payload: 'c'.repeat(10) }, // past the wrap, ahead of a hole
      { ...base, seq: isn + 11, payload: 'b'.repeat(10) }, // crosses 2^32
      { ...base, seq: (isn + 31) >>> 0, payload: 'd'.repeat(5) },
    ])], { watchPorts: ports });
    expect(flows[0]!.client.toString()).toBe('a'.repeat(10) + 'b'.repeat(10) + 'c'.repeat(10) + 'd'.repeat(5));
  });

  it('reports a hole that never fills as a gap of its size when the flow ends, then the bytes after it', async () => {
    const { flows, stats } = await recordFlows([cap([
      { ...base, seq: 0, flags: 'S' },
      { ...base, seq: 1, payload: 'abc' },
      { ...base, seq: 14, payload: 'xyz' }, // 10 bytes missing
      { ...base, seq: 17, flags: 'RA' },
    ])], { watchPorts: ports });
    expect(flows[0]!.events).toEqual(['client:3', 'client:gap10', 'client:3']);
    expect(flows[0]!.client.toString()).toBe('abcxyz');
    expect(flows[0]!.end).toBe('rst');
    expect(stats).toMatchObject({ gaps: 1, gapBytes: 10 });
  });

  it('gives up on a hole at once when the peer acknowledges past it (lost from the capture, not late)', async () => {
    const { flows } = await recordFlows([cap([
      { ...base, seq: 0, flags: 'S' },
      { ...back, seq: 500, ack: 1, flags: 'SA' },
      { ...base, seq: 1, ack: 501, payload: 'abc' },
      { ...base, seq: 9, ack: 501, payload: 'xyz' }, // 5 bytes missing
      { ...back, seq: 501, ack: 12, payload: 'ok' }, // the server got all 11
    ])], { watchPorts: ports });
    expect(flows[0]!.events).toEqual(['client:3', 'client:gap5', 'client:3', 'server:2']);
    expect(flows[0]!.end).toBe('capture-end');
  });

  it('gives up on a hole older than the hole timeout (capture time), without the flow ending', async () => {
    const pkts: CapturedPacket[] = [
      { ts: T0, data: ipPacket({ ...base, seq: 0, flags: 'S' }) },
      { ts: T0 + 1, data: ipPacket({ ...base, seq: 1, payload: 'ab' }) },
      { ts: T0 + 2, data: ipPacket({ ...base, seq: 5, payload: 'ef' }) },
      { ts: T0 + 5000, data: ipPacket({ ...base, seq: 7, payload: 'gh' }) },
    ];
    const { flows } = await recordFlows([pcapFile(101, pkts)], { watchPorts: ports, limits: { holeTimeoutMs: 3000 } });
    expect(flows[0]!.events).toEqual(['client:2', 'client:gap2', 'client:2', 'client:2']);
  });

  it('starts mid-stream: no SYN, the watched port is the server, and both directions follow from their first packet', async () => {
    const { flows } = await recordFlows([cap([
      { ...back, seq: 7777, ack: 3, payload: '+OK\r\n' },
      { ...base, seq: 3, ack: 7782, payload: 'CAPA\r\n' },
      { ...back, seq: 7782, ack: 9, payload: '+OK\r\n' },
    ])], { watchPorts: new Set([25]) });
    expect(flows[0]!.start).toMatchObject({ clientIp: C, clientPort: 40000, serverPort: 25, midStream: true });
    expect(flows[0]!.server.toString()).toBe('+OK\r\n+OK\r\n');
    expect(flows[0]!.client.toString()).toBe('CAPA\r\n');
  });

  it('ignores connections whose server port is not watched', async () => {
    const { flows, stats } = await recordFlows([cap([
      { ...base, dport: 80, seq: 0, flags: 'S' },
      { ...base, dport: 80, seq: 1, payload: 'GET' },
    ])], { watchPorts: ports });
    expect(flows).toEqual([]);
    expect(stats.flows).toBe(0);
  });

  it('caps the bytes held ahead of a hole per direction: the hole becomes a gap and holding starts over', async () => {
    const specs: TcpSpec[] = [{ ...base, seq: 0, flags: 'S' }];
    for (let i = 0; i < 10; i++) specs.push({ ...base, seq: 101 + i * 100, payload: 'x'.repeat(100) }); // 100 bytes missing first
    const { flows, stats } = await recordFlows([cap(specs)], { watchPorts: ports, limits: { maxHeldBytesPerDirection: 450 } });
    expect(flows[0]!.events[0]).toBe('client:gap100');
    expect(flows[0]!.client.length).toBe(1000);
    expect(stats.gapBytes).toBe(100);
  });

  it('with bufferCapAction end, a flow past the hold cap ends with buffer-cap', async () => {
    const specs: TcpSpec[] = [{ ...base, seq: 0, flags: 'S' }];
    for (let i = 0; i < 10; i++) specs.push({ ...base, seq: 101 + i * 100, payload: 'x'.repeat(100) });
    const { flows, stats } = await recordFlows([cap(specs)], { watchPorts: ports, limits: { maxHeldBytesPerDirection: 450, bufferCapAction: 'end' } });
    expect(flows).toHaveLength(1);
    expect(flows[0]!.end).toBe('buffer-cap');
    expect(stats.evictedFlows).toBe(1);
  });

  it('ends a flow idle for longer than the idle timeout (capture time) and evicts the least recently active at the table cap', async () => {
    const pk = (ts: number, sport: number, payload: string, seq = 1): CapturedPacket => ({ ts, data: ipPacket({ ...base, sport, seq, payload }) });
    const { flows, stats } = await recordFlows([pcapFile(101, [
      pk(T0, 1001, 'a'), pk(T0 + 1, 1002, 'b'), pk(T0 + 2, 1001, 'c', 2), pk(T0 + 3, 1003, 'd'), // cap 2: 1002 is evicted, not 1001
      pk(T0 + 120_000, 1004, 'e'), // 1001 and 1003 idle out
    ])], { watchPorts: ports, limits: { maxFlows: 2, idleTimeoutMs: 60_000 } });
    const bySport = Object.fromEntries(flows.map((f) => [f.start.clientPort, f]));
    expect(bySport[1002]!.end).toBe('idle');
    expect(bySport[1001]!.client.toString()).toBe('ac');
    expect(bySport[1001]!.end).toBe('idle');
    expect(bySport[1003]!.end).toBe('idle');
    expect(bySport[1004]!.end).toBe('capture-end');
    expect(stats.evictedFlows).toBe(1);
  });

  it('connections in turn whose ports look alike each get their own bytes; ones that idled out start over mid-stream', async () => {
    // Client ports 256 apart (and the same server port): any table of recent flows keyed by ports shares slots
    // between them; 40001 has a slot of its own.
    const sports = [40000, 40001, 40256, 40512, 41024];
    const pk = (ts: number, sport: number, seq: number, payload: string, flags = 'PA'): CapturedPacket => ({ ts, data: ipPacket({ ...base, sport, seq, payload, flags }) });
    const packets: CapturedPacket[] = [];
    sports.forEach((sport, i) => packets.push(pk(T0 + i, sport, 100, '', 'S')));
    for (let round = 0; round < 4; round++) sports.forEach((sport, i) => packets.push(pk(T0 + 10 + round * 10 + i, sport, 101 + round, String.fromCharCode(97 + i))));
    // 40000 and 40001 go quiet; the others keep talking until those two have idled out (60 s)...
    for (let t = 1; t <= 7; t++) sports.slice(2).forEach((sport, i) => packets.push(pk(T0 + t * 10_000 + i, sport, 100 + 4 + t, 'x')));
    // ...then both send again: each a new flow, mid-stream (its SYN was the old flow's), not the old one.
    packets.push(pk(T0 + 75_000, 40001, 500, 'again'), pk(T0 + 75_001, 40000, 500, 'again'));
    const { flows } = await recordFlows([pcapFile(101, packets)], { watchPorts: ports, limits: { idleTimeoutMs: 60_000 } });
    expect(flows.map((f) => [f.start.clientPort, f.client.toString(), f.end, f.start.midStream])).toEqual([
      [40000, 'aaaa', 'idle', false],
      [40001, 'bbbb', 'idle', false],
      [40256, 'cccc' + 'x'.repeat(7), 'capture-end', false],
      [40512, 'dddd' + 'x'.repeat(7), 'capture-end', false],
      [41024, 'eeee' + 'x'.repeat(7), 'capture-end', false],
      [40001, 'again', 'capture-end', true],
      [40000, 'again', 'capture-end', true],
    ]);
  });

  it('ends flows in order of their last activity: evicted at the cap, idled out, and at the capture end', async () => {
    const pk = (ts: number, sport: number, payload: string, seq = 1, flags = 'PA'): CapturedPacket => ({ ts, data: ipPacket({ ...base, sport, seq, payload, flags }) });
    const ends: string[] = [];
    const { readCaptureFlows } = await import('@wildtls/core');
    const { Readable } = await import('node:stream');
    const run = (packets: CapturedPacket[], limits: { maxFlows?: number; idleTimeoutMs?: number }) => readCaptureFlows({ name: 'order', stream: Readable.from([pcapFile(101, packets)]) },
      (start) => ({ data() {}, gap() {}, end(reason: string) { ends.push(`${start.clientPort}:${reason}`); } }), { watchPorts: ports, limits });
    // Cap 3: 1002 was least recently active when 1004 came (1001 and 1003 spoke after it), then 1001 when 1005 came.
    await run([pk(T0, 1001, 'a'), pk(T0 + 1, 1002, 'b'), pk(T0 + 2, 1003, 'c'), pk(T0 + 3, 1001, 'd', 2), pk(T0 + 4, 1004, 'e'), pk(T0 + 5, 1003, 'f', 2), pk(T0 + 6, 1005, 'g')], { maxFlows: 3 });
    expect(ends).toEqual(['1002:idle', '1001:idle', '1004:capture-end', '1003:capture-end', '1005:capture-end']);
    ends.length = 0;
    // The most recently active flow ends (RST) and new ones start after it; then all idle out in order, one stays.
    await run([pk(T0, 2001, 'a'), pk(T0 + 1, 2002, 'b'), pk(T0 + 2, 2003, 'c'), pk(T0 + 3, 2001, 'd', 2), pk(T0 + 4, 2003, '', 3, 'R'),
      pk(T0 + 5, 2004, 'e'), pk(T0 + 6, 2002, 'f', 2), pk(T0 + 7, 2005, 'g'), pk(T0 + 70_000, 2006, 'h')], { idleTimeoutMs: 60_000 });
    expect(ends).toEqual(['2003:rst', '2001:idle', '2004:idle', '2002:idle', '2005:idle', '2006:capture-end']);
    ends.length = 0;
    // The most recently active flow, ended, gives way to a new connection on its ports (another SYN): the others keep their order.
    await run([pk(T0, 3001, 'a'), pk(T0 + 1, 3002, 'b'), pk(T0 + 2, 3003, 'x'), pk(T0 + 3, 3003, '', 2, 'R'), pk(T0 + 4, 3003, '', 500, 'S'), pk(T0 + 5, 3001, 'c', 2)], {});
    expect(ends).toEqual(['3003:rst', '3002:capture-end', '3003:capture-end', '3001:capture-end']);
  });

  it('connections open at the capture end end a batch at a time, the consumers awaited between batches, oldest first', async () => {
    const n = 600;
    const packets = Array.from({ length: n }, (_, i): CapturedPacket => ({ ts: T0 + i, data: ipPacket({ ...base, sport: 10_000 + i, seq: 1, payload: 'x', flags: 'PA' }) }));
    const { readCaptureFlows } = await import('@wildtls/core');
    const { Readable } = await import('node:stream');
    const ends: number[] = [];
    const endedAtWait: number[] = [];
    await readCaptureFlows({ name: 'open-at-end', stream: Readable.from([pcapFile(101, packets)]) },
      (start) => ({ data() {}, gap() {}, end() { ends.push(start.clientPort); } }),
      { watchPorts: ports, between: async () => { endedAtWait.push(ends.length); await new Promise((r) => setImmediate(r)); } });
    expect(ends).toEqual(packets.map((_, i) => 10_000 + i));
    // The last wait of reading comes before any end; then one after every 256 ends while some are left.
    expect(endedAtWait.slice(-3)).toEqual([0, 256, 512]);
  });

  it('stray packets after the end do not start a second flow; a new SYN on the same ports does', async () => {
    const { flows } = await recordFlows([cap([
      { ...base, seq: 0, flags: 'S' },
      { ...base, seq: 1, payload: 'one', flags: 'AR' },
      { ...base, seq: 4, payload: 'late' },
      { ...base, seq: 90000, flags: 'S' },
      { ...base, seq: 90001, payload: 'two' },
    ])], { watchPorts: ports });
    expect(flows.map((f) => [f.client.toString(), f.end, f.start.midStream])).toEqual([['', 'rst', false], ['two', 'capture-end', false]]);
  });

  it('a retransmitted SYN is the same connection; a SYN with another sequence number on an open one starts a new connection', async () => {
    const { flows } = await recordFlows([cap([
      { ...base, seq: 500, flags: 'S' },
      { ...base, seq: 500, flags: 'S' },
      { ...base, seq: 501, payload: 'first' },
      { ...base, seq: 7000, flags: 'S' }, // the first was never seen to end
      { ...base, seq: 7001, payload: 'second' },
    ])], { watchPorts: ports });
    expect(flows.map((f) => [f.client.toString(), f.end])).toEqual([['first', 'idle'], ['second', 'capture-end']]);
  });

  it('a handler that is done gets no more bytes, and still its end', async () => {
    const { flows } = await recordFlows([cap([
      { ...base, seq: 0, flags: 'S' },
      { ...base, seq: 1, payload: 'enough' },
      { ...base, seq: 7, payload: 'more' },
      { ...back, seq: 50, flags: 'AF' },
      { ...base, seq: 11, flags: 'AF' },
    ])], { watchPorts: ports });
    // RecordingHandler is never done: check the same capture with a done handler below.
    expect(flows[0]!.client.toString()).toBe('enoughmore');
    const { readCaptureFlows } = await import('@wildtls/core');
    const { Readable } = await import('node:stream');
    const calls: string[] = [];
    await readCaptureFlows({ name: 'x', stream: Readable.from([cap([
      { ...base, seq: 0, flags: 'S' },
      { ...base, seq: 1, payload: 'enough' },
      { ...base, seq: 7, payload: 'more' },
      { ...back, seq: 50, flags: 'AF' },
      { ...base, seq: 11, flags: 'AF' },
    ])]) }, () => {
      const h = { done: false, data(_dir: string, b: Uint8Array) { calls.push(Buffer.from(b).toString()); h.done = true; }, gap() { calls.push('gap'); }, end(r: string) { calls.push(`end:${r}`); } };
      return h;
    }, { watchPorts: ports });
    expect(calls).toEqual(['enough', 'end:fin']);
  });
});
