import { Args, Flags } from '@oclif/core';
import { WildtlsError, readRecords, type ProbeRecord } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { loadRun } from '../load-run.js';
import { lenientFlag, validityFlags } from '../run-analyses.js';
import { chainVerdicts } from '../show/chain-verdicts.js';
import { describeHost } from '../show/describe-record.js';
import { hostView, type ChainVerdict } from '../show/host-view.js';
import { parseTarget, type TargetFilter } from '../show/target-filter.js';
import { terminalSafeJson } from '../show/terminal-text.js';

export default class Show extends WildtlsCommand {
  static override description =
    "Show each probed host of stored JSONL results as a person reads it: status and reason, STARTTLS (offered, accepted, the server's reply), SASL before and after TLS, TLS version, suite, key exchange, OCSP stapling, every certificate decoded (subject, issuer, SANs, validity dates, key type and size, SHA-256) and the chain's verdict with every error, from the ca-practice analysis' validator (--validity-profile, --at, --roots as in analyze). Records are streamed; strings the server sent are escaped for the terminal.";

  static override examples = [
    '<%= config.bin %> show results.jsonl',
    '<%= config.bin %> show results.jsonl --target 192.0.2.25:25',
    '<%= config.bin %> show results.jsonl.gz --target 2001:db8::1 --format json',
    '<%= config.bin %> show results.jsonl --validity-profile strict --at 2016-01-01T00:00:00Z --roots mozilla-2016.pem',
  ];

  static override strict = false;

  static override args = {
    results: Args.string({ description: 'Result files (JSONL, optionally gzipped; "-" = stdin).', required: true }),
  };

  static override flags = {
    target: Flags.string({ char: 't', description: 'Only the records of this host: IP (every port) or IP:PORT ([IPv6]:PORT). Exits non-zero when the results hold none.' }),
    ...validityFlags,
    lenient: lenientFlag,
    format: Flags.string({ char: 'f', description: 'text (default): a block of lines per record; json: one JSON object per record and line.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Show);
    const at = flags.at ? new Date(flags.at) : undefined;
    if (at && Number.isNaN(at.getTime())) throw new WildtlsError('WILDTLS_ERR_USAGE', `--at ${flags.at}: not an ISO 8601 time`);
    const target: TargetFilter | undefined = flags.target ? parseTarget(flags.target) : undefined;
    const setup = await loadRun({ configFile: flags.config, logLevel: flags['log-level'] ?? 'warn' });
    const verdictOf = await chainVerdicts(setup, { at, rootsFile: flags.roots, validityProfile: flags['validity-profile'] });
    if (!verdictOf) process.stderr.write('wildtls: no chain verdicts: the ca-practice analysis plugin is not loaded\n');
    let skipped = 0;
    let shown = 0;
    const onSkip = () => void skipped++;
    for (const file of argv as string[]) {
      for await (const record of readRecords(file, process.stdin, { lenient: flags.lenient, onSkip })) {
        if (target && !target.matches(record)) continue;
        await this.print(record, verdictOf ? await verdictOf(record) : undefined, flags.format, shown++ === 0);
      }
    }
    if (skipped > 0) process.stderr.write(`wildtls: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'} (--lenient)\n`);
    if (target && shown === 0) throw new WildtlsError('WILDTLS_ERR_TARGET', `no record of ${target.text} in ${(argv as string[]).join(', ')}`);
  }

  /** One record out, waiting for the pipe to drain: a million records never pile up in memory. */
  private async print(record: ProbeRecord, verdict: ChainVerdict | undefined, format: string, first: boolean): Promise<void> {
    const view = hostView(record, verdict);
    const text = format === 'json' ? `${terminalSafeJson(view)}\n` : `${first ? '' : '\n'}${describeHost(view)}\n`;
    if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
  }
}
