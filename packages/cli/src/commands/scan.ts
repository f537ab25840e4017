import { Args, Flags } from '@oclif/core';
import { renderReports, scanFromConfig, type ReportFormat } from '@wildtls/core';
import { writeFileSync } from 'node:fs';
import { WildtlsCommand } from '../base-command.js';
import { availableEngines, profileResolver } from '../engines.js';
import { scanOverrides, setFlag, targetFlags, tlsFlags } from '../flags.js';
import { loadRun } from '../load-run.js';
import { assertWritable } from '../writable-path.js';
import { emptyScanError } from '../empty-scan.js';
import { formatSummary, summaryJsonLine } from '../summary.js';
import { pacingFlags } from '../schedule-flags.js';

export default class Scan extends WildtlsCommand {
  static override description = 'Probe targets with protocol plugins and write one JSONL record per (target, port, service).\n\nTargets: ADDR, CIDR, HOST, ADDR:PORT, [IPv6]:PORT, HOST:PORT, IP,DOMAIN (SNI without DNS) or IP,DOMAIN,TAG,PORT (zgrab2), as arguments or in --input. An invalid target, no target, or every target excluded by the blocklist is a usage error (exit 2) before or instead of a scan; stdout closed by its reader ends the scan quietly (exit 0); --resume refuses a changed plan.';

  static override examples = [
    '<%= config.bin %> scan 127.0.0.1 --protocol smtp --port 2525 --allow 127.0.0.0/8',
    '<%= config.bin %> scan 127.0.0.1:2525 [::1]:1143 -p smtp --allow 127.0.0.0/8 --allow ::1/128',
    '<%= config.bin %> scan 192.0.2.7,mail.example.org 192.0.2.8,mail.example.net,,465 -p smtps',
    '<%= config.bin %> scan 127.0.0.1 -p smtp -p imap --port smtp=2525 --port imap=1143 --allow 127.0.0.0/8',
    '<%= config.bin %> scan 127.0.0.0/28 -p imaps -p pop3s --allow 127.0.0.0/8 --output results.jsonl.gz',
    'zmap -p 25 198.51.100.0/24 | <%= config.bin %> scan --input - --protocol smtp',
    '<%= config.bin %> scan --config wildtls.config.yaml --analysis sasl --analysis crypto',
    '<%= config.bin %> scan 127.0.0.1 -p tls --port 4433 --allow 127.0.0.0/8 --profile modern --fallback none',
    '<%= config.bin %> scan --source ipv4-all -p smtp --rate 10000 --shards 4 --shard 0 --seed 7 --blocklist optout.txt -o s0.jsonl --checkpoint s0.ckpt',
    '<%= config.bin %> scan --source ipv4-all -p smtp --shards 4 --shard 0 -o s0.jsonl --checkpoint s0.ckpt --resume',
    '<%= config.bin %> scan --source domains -i top-1m.csv -p smtp -p imaps --dns-server 192.0.2.53',
    '<%= config.bin %> scan 127.0.0.0/24 -p smtp --allow 127.0.0.0/8 -o out.jsonl --log-format json 2> scan-log.jsonl',
    '<%= config.bin %> scan 127.0.0.0/24 -p smtp --allow 127.0.0.0/8 -o out.jsonl --quiet',
    '<%= config.bin %> scan --source ipv4-all -p smtp --rate 10000 --seed 7 -o all.jsonl --queue redis://:secret@192.0.2.10:6379/0',
    '<%= config.bin %> scan --source ipv4-all -p smtp --rate 10000 --seed 7 -o all.jsonl --queue redis://:secret@192.0.2.10:6379/0 --resume',
  ];

  static override strict = false;

  static override args = {
    targets: Args.string({ description: 'Addresses, CIDR ranges or host names, optionally with :PORT ([IPv6]:PORT) or as IP,DOMAIN (more with --input).', ignoreStdin: true }), // stdin is for --input - (zmap pipes)
  };

  static override flags = {
    ...targetFlags,
    ...tlsFlags,
    ...setFlag,
    ...pacingFlags,
    output: Flags.string({ char: 'o', description: 'Output file: JSONL ("-" = stdout, the default; .gz = gzip), or a DuckDB result store when it ends in .duckdb (docs/store.md).' }),
    gzip: Flags.boolean({ description: 'Gzip the output.', allowNo: true }),
    analysis: Flags.string({ char: 'a', multiple: true, description: 'Run this analysis live during the scan (repeatable).' }),
    report: Flags.string({ description: 'Write the live analyses\' reports to this file (default: stderr).' }),
    format: Flags.string({ description: 'Report format.', options: ['table', 'json', 'csv', 'markdown'], default: 'table' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print neither progress nor the summary, and log only warnings and errors (unless --log-level says otherwise).' }),
    queue: Flags.string({ description: 'Coordinate a scan over many machines through this Redis: redis://[user:password@]HOST:PORT/DB (rediss:// for TLS). The scan is planned here, split into chunks that `wildtls worker --queue` processes take, and their records are written here (see docs/distributed.md).' }),
    'chunk-size': Flags.integer({ min: 1, description: 'With --queue: target positions per chunk (default 256).', dependsOn: ['queue'] }),
    lease: Flags.integer({ min: 1, description: 'With --queue: seconds a chunk stays with a worker that stopped heartbeating (killed, hung) before another worker takes it (default 30).', dependsOn: ['queue'] }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Scan);
    if (flags.report) assertWritable(flags.report, '--report');
    const overrides = scanOverrides(flags, argv as string[]);
    if (flags.quiet) overrides.scan = { ...(overrides.scan as object), progress: 'off' };
    // A queued scan loads every plugin: its workers' plugin set must match the job's (queue/job-fingerprint.ts).
    const setup = await loadRun({ configFile: flags.config, overrides, sets: flags.set, logLevel: flags['log-level'] ?? (flags.quiet ? 'warn' : undefined), deferAnalyses: !flags.queue });
    const abort = new AbortController();
    // First signal: stop admission, let in-flight probes finish (scan.shutdownGrace), flush, checkpoint.
    // A second one exits at once (the last checkpoint still allows --resume).
    const stop = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // `wildtls scan ... | head -1`: the reader has what it wanted. Stop admission and end quietly with 0, as ripgrep does.
    let readerGone = false;
    const onOutputClosed = () => {
      readerGone = true;
      abort.abort();
    };
    if (flags.queue) {
      // Loaded only here: a local scan never loads the Redis client.
      const { runQueuedScan } = await import('../queue/queued-scan.js');
      try {
        await runQueuedScan(setup, { url: flags.queue, chunkSize: flags['chunk-size'] ?? 256, leaseMs: (flags.lease ?? 30) * 1000, signal: abort.signal, quiet: Boolean(flags.quiet) });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      return;
    }
    try {
      const { summary, reports } = await scanFromConfig(setup.config, setup.registry, {
        logger: setup.logger,
        engines: availableEngines(),
        resolveProfile: profileResolver(),
        signal: abort.signal,
        reloadOnSighup: true,
        onOutputClosed,
      });
      if (readerGone) {
        setup.logger.debug({ summary }, 'stdout was closed by its reader; scan stopped');
        process.exit(0);
      }
      if (reports.length) {
        const text = renderReports(reports, flags.format as ReportFormat);
        if (flags.report) writeFileSync(flags.report, text);
        else process.stderr.write(text);
      }
      if (!flags.quiet) process.stderr.write(setup.config.log.format === 'json' ? summaryJsonLine(summary) : formatSummary(summary) + '\n');
      const empty = emptyScanError(summary);
      if (empty) throw empty;
      // Probes abandoned after the grace may still hold timers: leave now (sinks and checkpoint are flushed).
      if (summary.stopped) process.exit(130);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
