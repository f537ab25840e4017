// A capture FILE (a plain pcap or pcapng, by path) is read by jumping over the payload of large packets
// whose connection nobody follows (capture-source, record-parser's offers, FlowTable.packetWithoutPayload).
// The truth here is the declared packets: which bytes each connection sent, which flows a handler wants
// and up to where. The same bytes read as a stream (every byte read, no jump) must give the same flows
// and counts; only bytesNotRead differs.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isWildtlsError, readCaptureFlows, type CaptureInput, type CaptureStats, type FlowDirection, type FlowEndReason, type FlowHandler, type FlowStart } from '@wildtls/core';
import { frame, ipPacket, pcapFile, pcapngFile, type CapturedPacket, type PcapngPacket, type TcpSpec } from './capture-builder.js';

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'wildtls-capture-jumps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes a test handler wants of the client's stream before it says done (Infinity: all of them). */
interface Seen { start: FlowStart; client: Buffer[]; server: Buffer[]; dataTs: number[]; gaps: string[]; end?: FlowEndReason }

class WantsFirst implements FlowHandler {
  done = false;
  private clientBytes = 0;
  constructor(readonly seen: Seen, private readonly want: number) {}
  data(dir: FlowDirection, bytes: Uint8Array, ts: number): void {
    if (this.done) throw new Error('data after done');
    this.seen[dir].push(Buffer.from(bytes));
    this.seen.dataTs.push(ts);
    if (dir === 'client') this.clientBytes += bytes.length;
    if (this.clientBytes >= this.want) this.done = true;
  }
  gap(dir: FlowDirection, missing: number): void {
    this.seen.gaps.push(`${dir}:${missing}`);
  }
  end(reason: FlowEndReason): void {
    this.seen.end = reason;
  }
}

/** A payload whose every byte depends on its connection, packet and place (a byte from elsewhere shows). */
function payload(conn: number, i: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let j = 0; j < n; j++) b[j] = (conn * 53 + i * 131 + j * 7) & 0xff;
  return b;
}

interface Conn { client: string; sport: number; dport: number; fromClient: Buffer[]; fromServer: Buffer[] }
interface Plan { packets: Array<{ ts: number; data: Uint8Array; iface?: number }>; conns: Conn[] }

const SERVER = '192.0.2.100';

/**
 * Connections to SERVER, their packets interleaved round-robin: a SYN exchange, then each connection's
 * client payloads (each acknowledged by a small server packet, as a bulk transfer is), a server reply,
 * and a FIN each way carried by the last data packet of either side (so a FIN is seen only if the
 * headers of a jumped packet are read).
 */
function plan(specs: Array<{ sport: number; dport: number; sizes: number[]; reply: number }>, link: (ip: Uint8Array) => Uint8Array = (ip) => ip): Plan {
  const conns: Conn[] = [];
  const perConn: Uint8Array[][] = [];
  specs.forEach((s, c) => {
    const client = `192.0.2.${c + 1}`;
    const tcp = (from: 'c' | 's', seq: number, ack: number, flags: string, p?: Buffer): Uint8Array => link(ipPacket(from === 'c'
      ? { src: client, dst: SERVER, sport: s.sport, dport: s.dport, seq, ack, flags, payload: p } as TcpSpec
      : { src: SERVER, dst: client, sport: s.dport, dport: s.sport, seq, ack, flags, payload: p } as TcpSpec));
    const conn: Conn = { client, sport: s.sport, dport: s.dport, fromClient: [], fromServer: [] };
    const out: Uint8Array[] = [];
    let cseq = 1000;
    let sseq = 5000;
    out.push(tcp('c', cseq++, 0, 'S'), tcp('s', sseq++, cseq, 'SA'), tcp('c', cseq, sseq, 'A'));
    s.sizes.forEach((n, i) => {
      const p = payload(c, i, n);
      const last = i === s.sizes.length - 1;
      out.push(tcp('c', cseq, sseq, last ? 'FPA' : 'PA', p));
      conn.fromClient.push(p);
      cseq += n + (last ? 1 : 0);
      if (!last) out.push(tcp('s', sseq, cseq, 'A'));
    });
    const reply = payload(c + 100, 0, s.reply);
    out.push(tcp('s', sseq, cseq, 'FPA', reply));
    conn.fromServer.push(reply);
    sseq += s.reply + 1;
    out.push(tcp('c', cseq, sseq, 'A'));
    conns.push(conn);
    perConn.push(out);
  });
  const packets: Plan['packets'] = [];
  for (let i = 0; perConn.some((o) => i < o.length); i++) {
    for (const o of perConn) if (i < o.length) packets.push({ ts: T0 + packets.length * 0.25, data: o[i]! });
  }
  return { packets, conns };
}

async function read(input: CaptureInput, wants: ReadonlyMap<number, number>, watch = [443]): Promise<{ flows: Seen[]; stats: CaptureStats }> {
  const flows: Seen[] = [];
  const stats = await readCaptureFlows([input], (start) => {
    const seen: Seen = { start, client: [], server: [], dataTs: [], gaps: [] };
    flows.push(seen);
    return new WantsFirst(seen, wants.get(start.clientPort) ?? Infinity);
  }, { watchPorts: new Set(watch), onHandlerError: (err) => { throw err; } });
  return { flows, stats };
}

function hash(parts: Buffer[]): string {
  return `${parts.map((p) => p.length).join(',')} ${createHash('sha256').update(Buffer.concat(parts)).digest('hex')}`;
}

function written(name: string, bytes: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Read by path (with jumps) and as a stream (every byte): the same flows and counts, bytes jumped over only by path. */
async function both(name: string, bytes: Buffer, wants: ReadonlyMap<number, number>) {
  const byPath = await read(written(name, bytes), wants);
  const streamed = await read({ name, stream: Readable.from([bytes]) }, wants);
  expect(streamed.stats.bytesNotRead).toBe(0);
  expect({ ...byPath.stats, bytesNotRead: 0 }).toEqual(streamed.stats);
  // Compared by digest (a deep comparison of megabytes of Buffers element by element is slow).
  const digest = (flows: Seen[]) => flows.map((f) => ({ ...f, client: hash(f.client), server: hash(f.server) }));
  expect(digest(byPath.flows)).toEqual(digest(streamed.flows));
  return byPath;
}

// A: a handshake that spans large packets (20,000 and 30,000 bytes) is followed, then 40 large packets
// nobody wants. B: followed to its end, large packets among A's. C: a port nobody watches, large packets.
const WANT_A = 50_000;
const REPLY_A = 65_000; // (an IPv4 packet holds at most 65,495 bytes of TCP payload)
const big = Array.from({ length: 40 }, (_, i) => 60_000 + i * 17);
const bulk = plan([
  { sport: 51000, dport: 443, sizes: [20_000, 30_000, ...big], reply: REPLY_A },
  { sport: 52000, dport: 443, sizes: [300, ...big.slice(0, 12), 9_000], reply: 5_000 },
  { sport: 53000, dport: 8080, sizes: big, reply: 10 },
]);
const wants = new Map([[51000, WANT_A]]);
const skippable = big.reduce((a, b) => a + b, 0) * 2 + REPLY_A; // A's after its handshake, C's, A's reply

function checkBulk(flows: Seen[], stats: CaptureStats): void {
  expect(flows.map((f) => [f.start.clientPort, f.end])).toEqual([[51000, 'fin'], [52000, 'fin']]);
  const [a, b] = flows;
  const [ca, cb] = bulk.conns;
  expect(Buffer.concat(a!.client).equals(Buffer.concat(ca!.fromClient).subarray(0, WANT_A)), 'A: the handshake bytes, across its large packets').toBe(true);
  expect(a!.server).toEqual([]);
  expect(Buffer.concat(b!.client).equals(Buffer.concat(cb!.fromClient)), 'B: every byte, large packets among jumped ones').toBe(true);
  expect(Buffer.concat(b!.server).equals(Buffer.concat(cb!.fromServer))).toBe(true);
  expect(stats.packets).toBe(bulk.packets.length);
  expect(stats.bytes).toBe(bulk.packets.reduce((n, p) => n + p.data.length, 0));
  expect(stats).toMatchObject({ flows: 2, flowsWatched: 2, truncatedFiles: 0, truncatedPackets: 0, snaplenCut: 0, gaps: 0 });
}

describe('capture files: the payload of large packets nobody follows is jumped over', () => {
  const cases: Array<[string, Buffer]> = [
    ['pcap', pcapFile(101, bulk.packets)],
    ['pcap, big-endian, nanosecond', pcapFile(101, bulk.packets, { le: false, nano: true })],
    ['pcapng, enhanced packet blocks', pcapngFile([{ interfaces: [{ linkType: 101 }], packets: bulk.packets, unknownBlocks: 2 }])],
    ['pcapng, big-endian, obsolete packet blocks', pcapngFile([{ le: false, interfaces: [{ linkType: 101, tsresol: 9 }], packets: bulk.packets.map((p) => ({ ...p, block: 'opb' as const })) }])],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: the followed bytes and the FINs of jumped packets, the counts of every packet; most of the rest not read`, async () => {
      const { flows, stats } = await both(name.replace(/\W+/g, '-'), bytes, wants);
      checkBulk(flows, stats);
      expect(stats.bytesNotRead).toBeGreaterThan(skippable * 0.8);
      expect(stats.bytesNotRead).toBeLessThan(skippable);
    });
  }

  it('gzip: read whole (no jump), the same flows', async () => {
    const { flows, stats } = await read(written('bulk.pcap.gz', gzipSync(cases[0]![1])), wants);
    checkBulk(flows, stats);
    expect(stats.bytesNotRead).toBe(0);
  });

  it('a path that is a pipe (mkfifo): read whole in turn (no positional read), the same flows', async () => {
    const fifo = join(dir, 'bulk.fifo');
    execFileSync('/usr/bin/mkfifo', [fifo]);
    // Another process writes (this thread's reads are synchronous: a writer on this thread would wait on them).
    const writer = spawn('/bin/sh', ['-c', `cat '${written('bulk-for-fifo.pcap', cases[0]![1])}' > '${fifo}'`], { stdio: 'ignore' });
    const exited = new Promise((r) => writer.once('exit', r));
    const { flows, stats } = await read(fifo, wants);
    await exited;
    checkBulk(flows, stats);
    expect(stats.bytesNotRead).toBe(0);
  });

  it('a packet the snap length cut a few bytes short counts as cut whether it is jumped over or read whole', async () => {
    // Cut by less than its headers: only where its payload starts tells that the payload is short.
    const cut: CapturedPacket[] = bulk.packets.map((p) => (p.data.length > 50_000 ? { ...p, data: p.data.subarray(0, p.data.length - 10), wireLength: p.data.length } : p));
    const { stats } = await both('cut.pcap', pcapFile(101, cut), wants);
    expect(stats.snaplenCut).toBe(cut.filter((p) => p.wireLength !== undefined).length);
    expect(stats.bytesNotRead).toBeGreaterThan(skippable / 2);
  });

  it('a handler that follows everything gets every large packet whole (nothing jumped)', async () => {
    const { flows, stats } = await both('all.pcap', cases[0]![1], new Map());
    expect(Buffer.concat(flows[0]!.client).equals(Buffer.concat(bulk.conns[0]!.fromClient))).toBe(true);
    expect(Buffer.concat(flows[0]!.server).equals(Buffer.concat(bulk.conns[0]!.fromServer))).toBe(true);
    expect(stats.bytesNotRead).toBeLessThan(skippable / 2); // only C's (no port watched)
  });

  it('a truncated last packet nobody wants is not jumped past the end: a truncated capture, as read whole', async () => {
    const whole = cases[0]![1];
    // Cut the capture's last large packet (A's reply, after A's handshake: nobody wants it) in its middle.
    const lastBig = bulk.packets.map((p, i) => [p, i] as const).filter(([p]) => p.data.length > 50_000).at(-1)![1];
    const end = 24 + bulk.packets.slice(0, lastBig + 1).reduce((n, p) => n + 16 + p.data.length, 0);
    const cut = whole.subarray(0, end - 20_000);
    const { flows, stats } = await both('cut.pcap', cut, wants);
    expect(stats).toMatchObject({ truncatedFiles: 1, packets: lastBig });
    // A's server FIN was in the cut packet: A ends with the capture; B had ended long before.
    expect(flows.map((f) => f.end)).toEqual(['capture-end', 'fin']);
    expect(stats.bytesNotRead).toBeGreaterThan(0);
  });

  it('pcapng: an unknown block cut off by the end of the file is a truncated capture, as read whole (its jump stops at the end)', async () => {
    const head = pcapngFile([{ interfaces: [{ linkType: 101 }], packets: bulk.packets.slice(0, 40) }]);
    const block = Buffer.alloc(8 + 300_000, 7);
    block.writeUInt32LE(0xbad, 0);
    block.writeUInt32LE(600_000, 4); // claims twice what is left of the file
    const { stats } = await both('cut-unknown.pcapng', Buffer.concat([head, block]), wants);
    expect(stats).toMatchObject({ truncatedFiles: 1, packets: 40 });
  });

  it('pcapng: a jumped packet just before an interface block; the later interface\'s link type and nanosecond times hold', async () => {
    // Interface 0: raw IP, microseconds. Interface 1 (declared after A's large packets): Ethernet, nanoseconds.
    const a = plan([{ sport: 51000, dport: 443, sizes: [20_000, 30_000, ...big.slice(0, 12)], reply: 10 }]);
    // Interface 1's block comes right after A's last large packet (jumped over: A is done by then).
    const lastBig = a.packets.findLastIndex((p) => p.data.length > 50_000);
    const d = plan([{ sport: 54000, dport: 443, sizes: [40_000, 100], reply: 50_000 }], (ip) => frame('ethernet', ip));
    const t1 = T0 + 5000.1234;
    const packets: PcapngPacket[] = [...a.packets, ...d.packets.map((p, i) => ({ ts: t1 + i * 1.000001, data: p.data, iface: 1 }))];
    const bytes = pcapngFile([{ interfaces: [{ linkType: 101 }, { linkType: 1, tsresol: 9, afterPackets: lastBig + 1 }], packets }]);
    const { flows, stats } = await both('ifaces.pcapng', bytes, new Map([[51000, WANT_A]]));
    expect(flows.map((f) => [f.start.clientPort, f.end])).toEqual([[51000, 'fin'], [54000, 'fin']]);
    const dd = flows[1]!;
    expect(dd.start.ts).toBeCloseTo(t1, 3);
    expect(dd.dataTs[0]).toBeCloseTo(t1 + 3 * 1.000001, 3); // the SYN, SYN-ACK, ACK, then the first payload
    expect(Buffer.concat(dd.client).equals(Buffer.concat(d.conns[0]!.fromClient))).toBe(true);
    expect(Buffer.concat(dd.server).equals(Buffer.concat(d.conns[0]!.fromServer))).toBe(true);
    expect(stats.bytesNotRead).toBeGreaterThan(big.slice(6, 12).reduce((x, y) => x + y, 0));
  });

  it('pcapng: a jumped block\'s trailing length is still checked', async () => {
    const bytes = Buffer.from(pcapngFile([{ interfaces: [{ linkType: 101 }], packets: bulk.packets }]));
    // The last large client packet of C: find its block by walking the blocks (type, length, ..., length).
    let at = 0;
    let target = -1;
    while (at < bytes.length) {
      const len = bytes.readUInt32LE(at + 4);
      if (bytes.readUInt32LE(at) === 6 && len > 60_000) target = at;
      at += len;
    }
    const len = bytes.readUInt32LE(target + 4);
    bytes.writeUInt32LE(len + 4, target + len - 4);
    const message = `a block whose trailing length ${len + 4} differs from its leading length ${len} (at byte ${target})`;
    await expect(read(written('bad-trailer.pcapng', bytes), wants)).rejects.toThrow(message);
    await expect(read({ name: 'bad-trailer.pcapng', stream: Readable.from([bytes]) }, wants)).rejects.toThrow(message);
  });

  it('fuzz: mutated headers give the same flows and counts, or the same classified error, read with jumps as read whole', async () => {
    // A seeded generator (mulberry32): the same cases every run. Edits land in record and packet headers.
    let seed = 0x5e28;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const small = plan([
      { sport: 51000, dport: 443, sizes: [20_000, 30_000, ...big.slice(0, 8)], reply: 9_000 },
      { sport: 52000, dport: 443, sizes: [300, ...big.slice(0, 3)], reply: 5_000 },
      { sport: 53000, dport: 8080, sizes: big.slice(0, 6), reply: 10 },
    ]);
    const sources: Array<[string, Buffer, number[]]> = [];
    const pcap = pcapFile(101, small.packets);
    sources.push(['pcap', pcap, small.packets.map((_, i) => 24 + small.packets.slice(0, i).reduce((n, p) => n + 16 + p.data.length, 0))]);
    const ng = pcapngFile([{ interfaces: [{ linkType: 101 }], packets: small.packets }]);
    const blocks: number[] = [];
    for (let at = 0; at < ng.length; at += ng.readUInt32LE(at + 4)) blocks.push(at);
    sources.push(['pcapng', ng, blocks]);
    const outcomes = { same: 0, error: 0, jumped: 0 };
    for (let n = 0; n < 60; n++) {
      const [kind, source, starts] = sources[n % 2]!;
      const m = Buffer.from(source);
      for (let e = 1 + Math.floor(rand() * 3); e > 0; e--) {
        const at = Math.min(m.length - 1, starts[Math.floor(rand() * starts.length)]! + Math.floor(rand() * 90));
        if (rand() < 0.7) m[at] = Math.floor(rand() * 256);
        else m[at] = m[at]! ^ (1 << Math.floor(rand() * 8));
      }
      const cut = rand() < 0.2 ? m.subarray(0, Math.floor(rand() * m.length)) : m;
      const file = written(`fuzz-${n}.${kind}`, cut);
      const outcome = async (input: CaptureInput) => {
        try {
          const { flows, stats } = await read(input, wants);
          return { flows: flows.map((f) => ({ ...f, client: hash(f.client), server: hash(f.server) })), stats };
        } catch (err) {
          if (!isWildtlsError(err) || err.code !== 'WILDTLS_ERR_CAPTURE') throw err;
          return { error: err.message };
        }
      };
      const byPath = await outcome(file);
      const streamed = await outcome({ name: file, stream: Readable.from([cut]) });
      if ('error' in byPath) {
        expect(streamed, `case ${n}`).toEqual(byPath);
        outcomes.error++;
      } else {
        expect('stats' in streamed && { ...streamed, stats: { ...streamed.stats, bytesNotRead: 0 } }, `case ${n}`).toEqual({ ...byPath, stats: { ...byPath.stats, bytesNotRead: 0 } });
        outcomes.same++;
        if (byPath.stats.bytesNotRead > 0) outcomes.jumped++;
      }
    }
    expect(outcomes.same).toBeGreaterThan(10);
    expect(outcomes.jumped).toBeGreaterThan(10);
    expect(outcomes.error).toBeGreaterThan(5);
  });
});
