import { existsSync, readFileSync } from 'node:fs';

export interface QueuedRecord {
  ip: string;
  port: number;
  service: string;
  status: string;
  startedAt: string;
  tls?: { version?: string };
}

export function readOutput(path: string): QueuedRecord[] {
  if (!existsSync(path)) return [];
  // Only whole lines: the file may be read while the coordinator is writing its last one.
  const text = readFileSync(path, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l) as QueuedRecord);
}

/** Keys (ip port service) seen more than once, and how many distinct keys there are. */
export function duplicates(records: QueuedRecord[]): { distinct: number; doubled: string[] } {
  const seen = new Map<string, number>();
  for (const r of records) {
    const k = `${r.ip} ${r.port} ${r.service}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return { distinct: seen.size, doubled: [...seen].filter(([, n]) => n > 1).map(([k]) => k) };
}

/** Every address of a.b.0.0/16 (or /20 etc.): the expected keys, for a missing-record message. */
export function addressesOf(prefix: string, bits: number): string[] {
  const [a, b, c, d] = prefix.split('.').map(Number) as [number, number, number, number];
  const base = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const n = 2 ** (32 - bits);
  return Array.from({ length: n }, (_, i) => {
    const x = base + i;
    return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
  });
}

/**
 * Connections per second over the steady part: the probes' start times
 * (startedAt) between the 10th and 90th percentile, so the ramp-up and the
 * tail (the last chunks) are left out.
 */
export function steadyRate(records: QueuedRecord[]): number {
  const t = records.map((r) => Date.parse(r.startedAt)).sort((x, y) => x - y);
  const lo = Math.floor(t.length * 0.1);
  const hi = Math.floor(t.length * 0.9);
  return (hi - lo) / ((t[hi]! - t[lo]!) / 1000);
}
