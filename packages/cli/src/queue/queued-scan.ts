import { WildtlsError } from '@wildtls/core';
import { emptyScanError } from '../empty-scan.js';
import type { RunSetup } from '../load-run.js';
import { formatSummary, summaryJsonLine } from '../summary.js';
import { runCoordinator } from './run-coordinator.js';

/** `wildtls scan --queue URL`: the coordinator, with the summary a local scan prints. */
export async function runQueuedScan(setup: RunSetup, opts: { url: string; chunkSize: number; leaseMs: number; signal: AbortSignal; quiet: boolean }): Promise<void> {
  const { config } = setup;
  if (config.analyses.length) throw new WildtlsError('WILDTLS_ERR_USAGE', '--queue does not run live analyses; run `wildtls analyze` on the output afterwards');
  const summary = await runCoordinator({ url: opts.url, config, registry: setup.registry, logger: setup.logger, chunkSize: opts.chunkSize, leaseMs: opts.leaseMs, signal: opts.signal });
  if (!opts.quiet) process.stderr.write(config.log.format === 'json' ? summaryJsonLine(summary) : formatSummary(summary) + '\n');
  const empty = emptyScanError(summary);
  if (empty) throw empty;
  if (summary.stopped) process.exit(130);
}
