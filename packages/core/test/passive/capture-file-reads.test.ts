// A capture read from a FILE (by path) is read in chunks into two buffers used in turn (capture-source's
// fileChunks): these captures are several reads long, with packets of many sizes, so records span the
// reads at every kind of cut; the bytes delivered must be exactly the bytes the packets carried.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureFlows } from '@wildtls/core';
import { ipPacket, pcapFile, pcapngFile, type TcpSpec } from './capture-builder.js';

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'wildtls-capture-reads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One connection, client to server: ~5 MB in payloads of sizes that do not divide a read, each byte
// depending on its packet and position, so a byte taken from a reused buffer's later contents shows.
const payloads: Buffer[] = [];
const specs: TcpSpec[] = [{ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 443, seq: 10, flags: 'S' }];
let seq = 11;
for (let i = 0, total = 0; total < 5_000_000; i++) {
  const n = [1, 1460, 65000, 7, 32768, 40000, 999, 60001][i % 8]!;
  const p = Buffer.alloc(n);
  for (let j = 0; j < n; j++) p[j] = (i * 131 + j * 7) & 0xff;
  payloads.push(p);
  specs.push({ src: '192.0.2.1', dst: '192.0.2.2', sport: 51000, dport: 443, seq, ack: 1, flags: 'A', payload: p });
  seq += n;
  total += n;
}
const want = Buffer.concat(payloads);
const packets = specs.map((t, i) => ({ ts: T0 + i, data: ipPacket(t) }));

async function readByPath(file: string): Promise<{ got: Buffer; packets: number; truncated: number }> {
  const parts: Buffer[] = [];
  const stats = await readCaptureFlows([file], () => ({ data(d, b) { if (d === 'client') parts.push(Buffer.from(b)); }, gap() {}, end() {} }), { watchPorts: new Set([443]) });
  return { got: Buffer.concat(parts), packets: stats.packets, truncated: stats.truncatedFiles };
}

describe('capture files read by path in several reads', () => {
  const cases: Array<[string, Buffer]> = [
    ['pcap', pcapFile(101, packets)],
    ['pcapng with unknown blocks', pcapngFile([{ interfaces: [{ linkType: 101 }], packets, unknownBlocks: 3 }])],
    ['gzip pcap', gzipSync(pcapFile(101, packets))],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: every byte of every packet, in order`, async () => {
      const file = join(dir, name.replace(/ /g, '-'));
      writeFileSync(file, bytes);
      const { got, packets: n, truncated } = await readByPath(file);
      expect([n, truncated, got.length]).toEqual([packets.length, 0, want.length]);
      expect(got.equals(want), `${name}: the delivered bytes differ from the packets' payloads`).toBe(true);
    });
  }

  it('a file that is not a capture is an error naming it, and the next file reads in full', async () => {
    const bad = join(dir, 'not-a-capture');
    writeFileSync(bad, Buffer.alloc(3 * 1024 * 1024, 0x41));
    await expect(readByPath(bad)).rejects.toThrow(/not-a-capture: not a pcap or pcapng capture/);
    const good = join(dir, 'good.pcap');
    writeFileSync(good, pcapFile(101, packets));
    expect((await readByPath(good)).got.equals(want)).toBe(true);
  });
});
