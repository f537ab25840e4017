import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PluginRegistry, WildtlsConfig } from '@wildtls/core';
import type { FingerprintParts } from './job-keys.js';

/**
 * What must be equal on the coordinator and every worker for their records to
 * belong to one scan: the plugin set (id@version) and the settings a probe
 * runs with (TLS, deadlines, byte caps, plugin options, per-network caps).
 * Targets, ports and seed come from the job itself; worker-local settings
 * (threads, concurrency, logging) may differ.
 */
export function fingerprintParts(config: WildtlsConfig, registry: PluginRegistry): FingerprintParts {
  const s = config.scan;
  return {
    plugins: registry.plugins.map((p) => `${p.id}@${p.version}`).sort(),
    settings: {
      tls: config.tls,
      options: config.options,
      timeout: s.timeout,
      maxBytes: s.maxBytes,
      maxLineBytes: s.maxLineBytes,
      connectRetries: s.connectRetries,
      perNetworkConcurrency: s.perNetworkConcurrency,
      networkPrefix: s.networkPrefix,
    },
  };
}

export function fingerprintOfParts(parts: FingerprintParts): string {
  return createHash('sha256').update(stableJson(parts)).digest('hex').slice(0, 16);
}

/** Each difference as "what: job -> worker", for the refusal message. */
export function partDifferences(job: FingerprintParts, mine: FingerprintParts): string[] {
  const out: string[] = [];
  const a = new Set(job.plugins);
  const b = new Set(mine.plugins);
  const missing = job.plugins.filter((p) => !b.has(p));
  const extra = mine.plugins.filter((p) => !a.has(p));
  if (missing.length || extra.length) out.push(`plugins: the job has ${missing.join(', ') || '(nothing else)'}, this worker has ${extra.join(', ') || '(nothing else)'}`);
  for (const k of Object.keys({ ...job.settings, ...mine.settings })) {
    const x = stableJson(job.settings[k]);
    const y = stableJson(mine.settings[k]);
    if (x !== y) out.push(`${k}: job ${clip(x)} -> worker ${clip(y)}`);
  }
  return out;
}

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);

/** JSON with object keys sorted, so equal settings give equal text whatever their order. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : value,
  ) ?? 'undefined';
}

/**
 * SHA-256 of each file the target stream is built from (blocklists, allowlist,
 * input), by path: every worker reads its own copy, and an opt-out list that
 * differs on one machine must stop that machine, not be noticed later.
 */
export function targetFileHashes(config: WildtlsConfig): Record<string, string> {
  const s = config.scan;
  const files = [...s.blocklist, ...(s.allowlist ? [s.allowlist] : []), ...(s.input && s.input !== '-' ? [s.input] : [])];
  const out: Record<string, string> = {};
  for (const f of files) {
    let hash: string;
    try {
      hash = createHash('sha256').update(readFileSync(f)).digest('hex');
    } catch (err) {
      hash = `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    out[f] = hash;
  }
  return out;
}
