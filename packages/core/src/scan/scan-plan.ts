import type { WildtlsConfig } from '../config/core-schema.js';
import { fingerprintOf } from '../targets/source-context.js';
import type { ScanService } from './expand-target.js';

/**
 * What a scan was asked to do, as stored in its checkpoint: `--resume` with
 * another plan would append a different scan to the same output file, so it
 * is refused, naming what changed. Readable on purpose (a user compares it
 * with the command line); the target list itself is kept as a hash and its
 * first few entries.
 */
export interface PlanSummary {
  source: string;
  /** The first targets named (up to 10); `targetsHash` covers them all. */
  targets: string[];
  targetCount: number;
  targetsHash: string;
  input: string | null;
  /** service -> ports probed. */
  services: Record<string, number[]>;
  tls: { profile: string; fallback: string[]; observeOnly: boolean; sni: boolean; engine: string };
  seed: number;
  shards: number;
  shard: number;
  order: string;
}

export interface ScanPlan {
  fingerprint: string;
  summary: PlanSummary;
}

export function scanPlan(config: WildtlsConfig, services: readonly ScanService[], seed: number): ScanPlan {
  const { scan, tls } = config;
  const summary: PlanSummary = {
    source: scan.source,
    targets: scan.targets.slice(0, 10),
    targetCount: scan.targets.length,
    targetsHash: fingerprintOf(scan.targets),
    input: scan.input ?? null,
    services: Object.fromEntries(services.map((s) => [s.service.spec.name, [...s.ports]])),
    tls: { profile: tls.profile, fallback: [...tls.fallback], observeOnly: tls.observeOnly, sni: tls.sni, engine: tls.engine },
    seed,
    shards: scan.shards,
    shard: scan.shard,
    order: scan.order,
  };
  return { fingerprint: fingerprintOf(summary), summary };
}

/** Each difference as "what: before -> now", in the order a user would fix them. */
export function planDifferences(before: PlanSummary, now: PlanSummary): string[] {
  const out: string[] = [];
  const show = (v: string | number | boolean | string[] | null): string => (Array.isArray(v) ? v.join(',') || '(none)' : v === null ? '(none)' : String(v));
  const services = (s: Record<string, number[]>) => Object.entries(s).map(([name, ports]) => `${name}:${ports.join('+')}`).join(' ') || '(none)';
  if (services(before.services) !== services(now.services)) out.push(`services and ports: ${services(before.services)} -> ${services(now.services)}`);
  if (before.source !== now.source) out.push(`source: ${before.source} -> ${now.source}`);
  if (before.targetsHash !== now.targetsHash) {
    const list = (p: PlanSummary) => `${p.targets.join(' ') || '(none)'}${p.targetCount > p.targets.length ? ` (+${p.targetCount - p.targets.length} more)` : ''}`;
    out.push(`targets: ${list(before)} -> ${list(now)}`);
  }
  if (before.input !== now.input) out.push(`input: ${show(before.input)} -> ${show(now.input)}`);
  for (const k of ['profile', 'fallback', 'observeOnly', 'sni', 'engine'] as const) {
    if (show(before.tls[k]) !== show(now.tls[k])) out.push(`tls.${k}: ${show(before.tls[k])} -> ${show(now.tls[k])}`);
  }
  for (const k of ['seed', 'shards', 'shard', 'order'] as const) {
    if (before[k] !== now[k]) out.push(`${k}: ${before[k]} -> ${now[k]}`);
  }
  return out;
}
