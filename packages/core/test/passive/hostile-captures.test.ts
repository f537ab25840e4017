import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWildtlsError, readCaptureFlows } from '@wildtls/core';
import { frame, ipPacket, pcapFile, pcapngFile, type TcpSpec } from './capture-builder.js';
import { recordFlows } from './recording-handler.js';

const T0 = 1_700_000_000_000;
const ports = new Set([443]);
const c = { src: '192.0.2.1', dst: '192.0.2.2', sport: 50000, dport: 443 };
const s = { src: '192.0.2.2', dst: '192.0.2.1', sport: 443, dport: 50000 };
const specs: TcpSpec[] = [
  { ...c, seq: 1, flags: 'S' }, { ...s, seq: 9, ack: 2, flags: 'SA' },
  { ...c, seq: 2, ack: 10, payload: 'x'.repeat(300) }, { ...s, seq: 10, ack: 302, payload: 'y'.repeat(200) },
  { ...c, seq: 302, ack: 210, flags: 'FA' }, { ...s, seq: 210, ack: 303, flags: 'FA' },
];
const pcap = pcapFile(1, specs.map((t, i) => ({ ts: T0 + i, data: frame('vlan', ipPacket(t)) })));
const pcapng = pcapngFile([{ interfaces: [{ linkType: 113 }, { linkType: 1 }], unknownBlocks: 1, packets: specs.map((t, i) => ({ ts: T0 + i, iface: i % 2, data: frame(i % 2 ? 'ethernet' : 'sll', ipPacket(t)) })) }]);

async function read(bytes: Buffer, name = 'hostile.pcap') {
  return readCaptureFlows({ name, stream: Readable.from([bytes]) }, () => ({ data() {}, gap() {}, end() {} }), { watchPorts: ports });
}

async function errorOf(bytes: Buffer, name = 'hostile.pcap'): Promise<{ code: string; message: string }> {
  try {
    await read(bytes, name);
  } catch (err) {
    if (!isWildtlsError(err)) throw err;
    return { code: err.code, message: err.message };
  }
  throw new Error('no error');
}

describe('hostile and broken captures', () => {
  it('a capture cut inside a packet record keeps what came before and counts a truncated file', async () => {
    for (const file of [pcap, pcapng]) {
      const cut = file.subarray(0, file.length - 20);
      const { flows, stats } = await recordFlows([cut], { watchPorts: ports });
      expect(stats.truncatedFiles).toBe(1);
      expect(flows[0]!.client.toString()).toBe('x'.repeat(300));
      expect(flows[0]!.end).toBe('capture-end');
    }
  });

  it('a gzip capture broken off is a truncated file, not an error', async () => {
    const gz = gzipSync(pcap);
    const { flows, stats } = await recordFlows([gz.subarray(0, gz.length - 30)], { watchPorts: ports });
    expect(stats.truncatedFiles).toBe(1);
    expect(flows).toHaveLength(1);
  });

  it('a capture cut inside its file header is an error naming the file', async () => {
    expect(await errorOf(pcap.subarray(0, 10), 'cut.pcap')).toEqual({ code: 'WILDTLS_ERR_CAPTURE', message: expect.stringMatching(/^cut\.pcap: ends inside its file header/) });
    expect(await errorOf(Buffer.from([0xd4, 0xc3]), 'tiny.pcap')).toMatchObject({ message: expect.stringMatching(/^tiny\.pcap: too short to be a capture/) });
    expect(await errorOf(Buffer.alloc(0), 'empty.pcap')).toMatchObject({ message: expect.stringMatching(/^empty\.pcap: is empty/) });
  });

  it('a file that is not a capture is an error naming it and what was wrong', async () => {
    expect(await errorOf(Buffer.from('{"status":"ok"}\n'), 'results.jsonl')).toEqual({
      code: 'WILDTLS_ERR_CAPTURE',
      message: 'results.jsonl: not a pcap or pcapng capture (first bytes 7b22737461747573); write one with tcpdump -w FILE',
    });
    expect((await errorOf(gzipSync('hello'), 'x.gz')).message).toMatch(/^x\.gz: not a pcap or pcapng capture \(inside gzip\)/);
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-passive-'));
    writeFileSync(join(dir, 'notes.txt'), 'not a capture');
    await expect(readCaptureFlows([join(dir, 'notes.txt')], () => undefined)).rejects.toThrow(/notes\.txt: not a pcap or pcapng capture/);
    await expect(readCaptureFlows([join(dir, 'missing.pcap')], () => undefined)).rejects.toThrow(/missing\.pcap: cannot be read: .*ENOENT/);
  });

  it('a packet record claiming more than 256 KiB, or a pcapng block of a bogus length, is an error with the offset', async () => {
    const big = Buffer.from(pcap);
    big.writeUInt32LE(300_000, 24 + 8); // first record's caplen
    expect((await errorOf(big)).message).toBe('hostile.pcap: a packet record claims 300000 captured bytes (more than 262144): not a capture, or a corrupt one (at byte 24)');
    const odd = Buffer.from(pcapng);
    odd.writeUInt32LE(13, 4); // the section header's length
    expect((await errorOf(odd, 'odd.pcapng')).message).toMatch(/^odd\.pcapng: a block of length 13 \(not a multiple of 4 of at least 12\) \(at byte 0\)/);
    const mismatch = Buffer.from(pcapng);
    mismatch.writeUInt32LE(9999, 28 - 4); // the section header's trailing length (the SHB is 28 bytes)
    expect((await errorOf(mismatch, 'm.pcapng')).message).toMatch(/trailing length 9999 differs from its leading length 28/);
  });

  it('fuzz: mutated captures never throw anything but a classified capture error, and each case is bounded', async () => {
    // A seeded generator (mulberry32): the same cases every run.
    let seed = 0x5eed;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const outcomes = { ok: 0, classified: 0 };
    for (let n = 0; n < 400; n++) {
      const source = n % 2 ? pcap : pcapng;
      const m = Buffer.from(source);
      const edits = 1 + Math.floor(rand() * 8);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * m.length);
        const kind = rand();
        if (kind < 0.6) m[at] = Math.floor(rand() * 256);
        else if (kind < 0.8) m.writeUInt32LE(Math.floor(rand() * 2 ** 32), Math.min(at, m.length - 4));
        else m[at] = m[at]! ^ (1 << Math.floor(rand() * 8));
      }
      const cut = rand() < 0.3 ? m.subarray(0, Math.floor(rand() * m.length)) : m;
      const started = process.hrtime.bigint();
      try {
        const { stats } = await recordFlows([cut], { watchPorts: undefined });
        expect(stats.packets).toBeLessThanOrEqual(cut.length / 16); // every record has a 16-byte header at least
        outcomes.ok++;
      } catch (err) {
        if (!isWildtlsError(err) || err.code !== 'WILDTLS_ERR_CAPTURE') throw err;
        outcomes.classified++;
      }
      // Bounded work: a few hundred bytes must take far less than a second (a loose bound, not a benchmark).
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    }
    expect(outcomes.ok).toBeGreaterThan(50);
    expect(outcomes.classified).toBeGreaterThan(50);
  });
});
