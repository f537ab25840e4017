import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exclusions, RangeTargetSource, intToIpv4, ipv4ToInt, type TargetInput } from '@wildtls/core';

const logger = pino({ level: 'silent' });

async function collect(source: RangeTargetSource): Promise<TargetInput[]> {
  const out: TargetInput[] = [];
  for await (const t of source.targets()) out.push(t);
  return out;
}

/** Small deterministic PRNG for the property test (no new dependency). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s ^= s + Math.imul(s ^ (s >>> 7), 61 | s);
    return ((s ^ (s >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('sharding', () => {
  it('covers a /16 split into 7 shards exactly once', async () => {
    const exclusions = new Exclusions({ allow: [], blocklistFiles: [] });
    const seen = new Map<string, number>();
    let total = 0;
    for (let shard = 0; shard < 7; shard++) {
      const source = new RangeTargetSource({ targets: ['20.30.0.0/16'], seed: 2016, shards: 7, shard, order: 'permuted', exclusions, logger });
      const targets = await collect(source);
      total += targets.length;
      for (const t of targets) seen.set(t.ip, (seen.get(t.ip) ?? 0) + 1);
      // Each shard gets about a seventh.
      expect(Math.abs(targets.length - 65536 / 7)).toBeLessThan(2);
      // Positions increase along the stream.
      for (let i = 1; i < targets.length; i++) expect(targets[i]!.position!).toBeGreaterThan(targets[i - 1]!.position!);
    }
    expect(total).toBe(65536);
    expect(seen.size).toBe(65536);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const ip of seen.keys()) expect(ip.startsWith('20.30.')).toBe(true);
  });

  it('property: random ranges, blocklists and shard counts give exactly the allowed addresses once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wildtls-prop-'));
    const rand = rng(4242);
    for (let trial = 0; trial < 40; trial++) {
      // 1-3 ranges between /20 and /32 in 20.0.0.0/8, possibly overlapping.
      const ranges: string[] = [];
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) {
        const bits = 20 + Math.floor(rand() * 13);
        const base = (ipv4ToInt('20.0.0.0')! + Math.floor(rand() * 2 ** 12) * 2 ** 12) >>> 0;
        ranges.push(`${intToIpv4(base)}/${bits}`);
      }
      const blocks: string[] = [];
      for (let k = 0, n = Math.floor(rand() * 4); k < n; k++) {
        const r = ranges[Math.floor(rand() * ranges.length)]!;
        const base = ipv4ToInt(r.split('/')[0]!)!;
        blocks.push(`${intToIpv4((base + Math.floor(rand() * 4096)) >>> 0)}/${24 + Math.floor(rand() * 9)}`);
      }
      const file = join(dir, `block-${trial}.txt`);
      writeFileSync(file, `# trial ${trial}\n${blocks.join('\n')}\n`);
      const exclusions = new Exclusions({ allow: [], blocklistFiles: [file] });
      // The expected set, computed the slow way.
      const expected = new Set<number>();
      const inRange: number[] = [];
      for (const r of ranges) {
        const [a, b] = r.split('/');
        const size = 2 ** (32 - Number(b));
        const lo = ipv4ToInt(a!)! - (ipv4ToInt(a!)! % size);
        for (let i = 0; i < size; i++) inRange.push(lo + i);
      }
      const unique = [...new Set(inRange)];
      const blocked = blocks.map((c) => {
        const [a, b] = c.split('/');
        const size = 2 ** (32 - Number(b));
        const lo = ipv4ToInt(a!)! - (ipv4ToInt(a!)! % size);
        return [lo, lo + size - 1] as const;
      });
      let expectedExcluded = 0;
      for (const n of unique) {
        if (blocked.some(([lo, hi]) => n >= lo && n <= hi)) expectedExcluded++;
        else expected.add(n);
      }
      const shards = 1 + Math.floor(rand() * 9);
      const seed = Math.floor(rand() * 2 ** 40);
      const order = rand() < 0.8 ? ('permuted' as const) : ('sequential' as const);
      const got = new Map<string, number>();
      let excluded = 0;
      for (let shard = 0; shard < shards; shard++) {
        const source = new RangeTargetSource({ targets: ranges, seed, shards, shard, order, exclusions, logger });
        for (const t of await collect(source)) got.set(t.ip, (got.get(t.ip) ?? 0) + 1);
        excluded += source.stats().excluded;
      }
      expect(got.size, `trial ${trial}: ${ranges.join(',')} minus ${blocks.join(',')}`).toBe(expected.size);
      expect([...got.values()].every((v) => v === 1)).toBe(true);
      for (const ip of got.keys()) expect(expected.has(ipv4ToInt(ip)!)).toBe(true);
      expect(excluded).toBe(expectedExcluded);
    }
  });

  it('resuming a shard at a position continues the same stream', async () => {
    const exclusions = new Exclusions({ allow: [], blocklistFiles: [] });
    const opts = { targets: ['20.40.0.0/20', '2001:db9::/120'], seed: 5, shards: 3, shard: 1, order: 'permuted' as const, exclusions, logger };
    const all = await collect(new RangeTargetSource(opts));
    expect(all.some((t) => t.ip.includes(':'))).toBe(true);
    const cut = all[500]!.position!;
    const rest: TargetInput[] = [];
    for await (const t of new RangeTargetSource(opts).targets({ from: cut })) rest.push(t);
    expect(rest).toEqual(all.slice(500));
  });
});
