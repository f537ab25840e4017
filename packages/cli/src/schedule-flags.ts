import { Flags } from '@oclif/core';

/**
 * Flags that choose and order the targets (shared by `scan` and `targets`,
 * so `wildtls targets` shows exactly what a scan with the same flags visits).
 */
export const selectionFlags = {
  source: Flags.string({ description: 'Target source: cidr (addresses, ranges, host names), ipv4-all, zmap (zmap output on stdin), domains (domain list; MX first for smtp), or a target-source plugin id.' }),
  seed: Flags.integer({ min: 0, description: 'Seed of the target permutation (default: random, logged and kept in the checkpoint).' }),
  shards: Flags.integer({ min: 1, description: 'Split the scan into this many disjoint shards (one per machine).' }),
  shard: Flags.integer({ min: 0, description: 'Which shard this run scans (0-based).' }),
  order: Flags.string({ options: ['permuted', 'sequential'], description: 'Visit ranges in a seeded permutation (default) or in address order.' }),
  blocklist: Flags.string({ multiple: true, description: 'Blocklist file: one CIDR per line, # comments (repeatable; re-read on SIGHUP).' }),
  allowlist: Flags.string({ description: 'Allowlist file: scan only these ranges.' }),
  'dns-server': Flags.string({ multiple: true, description: 'DNS resolver for host names and domain lists (repeatable; default: the system resolvers).' }),
};

/** Flags that pace a scan and make it resumable (scan only). */
export const pacingFlags = {
  rate: Flags.integer({ min: 0, description: 'New connections per second (0 = unlimited; default 100).' }),
  concurrency: Flags.integer({ min: 1, description: 'Connections in flight at once (default 100).' }),
  workers: Flags.integer({ min: 1, max: 256, description: 'Probe worker threads, each with its own event loop and TLS engine (1 = probes run in the main thread). Default: the main thread probes, and up to one worker per other core joins it while the probing threads are saturated and scan.workerMinProbes probes remain per worker.' }),
  'per-network': Flags.integer({ min: 1, description: 'Connections in flight per /24 (IPv4) or /48 (IPv6) (default 16).' }),
  timeout: Flags.integer({ min: 1, description: 'Deadline of a whole probe in ms (default 30000).' }),
  'connect-timeout': Flags.integer({ min: 1, description: 'Connect deadline in ms (default 5000).' }),
  'read-timeout': Flags.integer({ min: 1, description: 'Deadline of each read in ms (default 10000).' }),
  checkpoint: Flags.string({ description: 'Checkpoint file, written every few seconds and on shutdown.' }),
  resume: Flags.boolean({ description: 'Continue the scan recorded in --checkpoint; the output file is appended to.' }),
  progress: Flags.string({ options: ['auto', 'bar', 'log', 'off'], description: 'Progress display (auto: a bar on a TTY, log lines otherwise).' }),
};

type Parsed = Record<string, unknown>;

/** The `scan` section overlay of the selection and pacing flags that were given. */
export function scheduleOverrides(flags: Parsed): Parsed {
  const scan: Parsed = {};
  const copy: Array<[string, string]> = [
    ['source', 'source'], ['seed', 'seed'], ['shards', 'shards'], ['shard', 'shard'], ['order', 'order'],
    ['blocklist', 'blocklist'], ['allowlist', 'allowlist'], ['rate', 'rate'], ['concurrency', 'concurrency'],
    ['per-network', 'perNetworkConcurrency'], ['checkpoint', 'checkpoint'], ['progress', 'progress'],
    ['workers', 'workers'],
  ];
  for (const [flag, key] of copy) if (flags[flag] !== undefined) scan[key] = flags[flag];
  if (flags.resume) scan.resume = true;
  const timeout: Parsed = {};
  if (flags.timeout !== undefined) timeout.probe = flags.timeout;
  if (flags['connect-timeout'] !== undefined) timeout.connect = flags['connect-timeout'];
  if (flags['read-timeout'] !== undefined) timeout.read = flags['read-timeout'];
  if (Object.keys(timeout).length) scan.timeout = timeout;
  if (flags['dns-server']) scan.dns = { servers: flags['dns-server'] };
  return scan;
}
