import type { ScanSummary } from '@wildtls/core';

/** The one-paragraph summary printed after a scan (counting rule: per probe). */
export function formatSummary(s: ScanSummary): string {
  const statuses = Object.entries(s.byStatus)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `wildtls: ${s.probes} probes of ${s.targets} targets in ${(s.elapsedMs / 1000).toFixed(1)} s${s.stopped ? ' (stopped early)' : ''}`,
    `  by status (per probe): ${statuses || 'none'}`,
    `  excluded by blocklist: ${s.excluded}${s.invalid ? `, invalid inputs: ${s.invalid}` : ''}`,
    ...(s.skipped ? [`  skipped (already in the output, resume): ${s.skipped}`] : []),
    ...(s.workersAdded ? [`  probe workers added (the probing threads were saturated): ${s.workersAdded}`] : []),
    ...(s.workerCrashes ? [`  probe workers that died: ${s.workerCrashes} (their probes were retried once on another worker; a probe whose second worker died too is recorded as internal-error)`] : []),
    ...(s.abandoned ? [`  abandoned at shutdown (scanned again on --resume): ${s.abandoned}`] : []),
  ].join('\n');
}

/** The summary as one JSON line shaped like pino's (--log-format json), printed whatever the log level. */
export function summaryJsonLine(s: ScanSummary): string {
  return JSON.stringify({ level: 30, time: Date.now(), name: 'wildtls', msg: s.stopped ? 'scan stopped' : 'scan finished', summary: s }) + '\n';
}
