import { Flags } from '@oclif/core';
import { WildtlsError, createRunContainer, type Analyzer, type Report } from '@wildtls/core';
import { analyzeInput } from './analyze-input.js';
import { loadRun } from './load-run.js';

/** How certificate validity is judged: the flags of analyze, report and show. */
export const validityFlags = {
  at: Flags.string({ description: "Evaluate certificate validity at this ISO time instead of each record's scan time." }),
  roots: Flags.string({ description: "PEM bundle of trust anchors (default: Node's bundled Mozilla store)." }),
  'validity-profile': Flags.string({ description: 'Which rules make a certificate chain valid (ca-practice): openssl (default, what `openssl verify` says), strict or webpki.', options: ['openssl', 'strict', 'webpki'] }),
};

export const lenientFlag = Flags.boolean({ description: 'Skip lines that are not wildtls records (a line cut off by kill -9, garbage) and the rest of a gzip file that breaks off, instead of stopping; how many were skipped is printed on stderr.' });

/** The flags of a command that runs analyses over stored results (analyze, report). */
export const analysisRunFlags = {
  analysis: Flags.string({ char: 'a', multiple: true, description: 'Analysis id to run (repeatable; default: every loaded analysis plugin).' }),
  ...validityFlags,
  lenient: lenientFlag,
  'dns-server': Flags.string({ description: 'Validating DNS resolver (ip or ip:port) for the smtp-policy analysis: its AD bit is trusted for DNSSEC, and it resolves the MTA-STS policy hosts. Without one smtp-policy gives no verdicts.' }),
};

/** The run options from a command's parsed analysisRunFlags (and the global --config / --log-level). */
export function analysisRunOptions(files: string[], flags: { config?: string; 'log-level'?: string; analysis?: string[]; at?: string; roots?: string; 'validity-profile'?: string; 'dns-server'?: string; lenient?: boolean }): AnalysisRunOptions {
  return {
    files,
    configFile: flags.config,
    logLevel: flags['log-level'],
    analyses: flags.analysis,
    at: flags.at,
    roots: flags.roots,
    validityProfile: flags['validity-profile'],
    dnsServer: flags['dns-server'],
    lenient: flags.lenient,
  };
}

/** What `analyze` and `report` share: which analyses, on which files, under which validity parameters. */
export interface AnalysisRunOptions {
  files: string[];
  configFile?: string;
  logLevel?: string;
  /** Analysis ids (default: every loaded analysis plugin). */
  analyses?: string[];
  /** ISO time to judge certificate validity at. */
  at?: string;
  roots?: string;
  validityProfile?: string;
  /** Validating resolver for analyses that look things up (smtp-policy). */
  dnsServer?: string;
  lenient?: boolean;
}

/**
 * Load the configured analysis plugins, run them over the files
 * (analyzeInput: a store's SQL where an analysis can use it) and return their reports. Unreadable lines skipped under
 * --lenient are counted on stderr, as `analyze` always did.
 */
export async function runAnalyses(o: AnalysisRunOptions): Promise<Report[]> {
  const setup = await loadRun({ configFile: o.configFile, logLevel: o.logLevel ?? 'warn' });
  const at = o.at ? new Date(o.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new WildtlsError('WILDTLS_ERR_USAGE', `--at ${o.at}: not an ISO 8601 time`);
  const available = setup.registry.analyses();
  const ids = o.analyses ?? available.map((a) => a.id);
  const container = await createRunContainer(setup.config, setup.registry, setup.logger);
  const analyzers: Analyzer[] = [];
  for (const id of ids) {
    const plugin = available.find((a) => a.id === id);
    if (!plugin) throw new WildtlsError('WILDTLS_ERR_USAGE', `no analysis plugin with id "${id}" is loaded (loaded: ${available.map((a) => a.id).join(', ') || 'none'})`);
    analyzers.push(await plugin.create({
      options: (setup.config.options as Record<string, unknown>)[id],
      logger: setup.logger.child({ analysis: id }),
      container,
      params: { at, rootsFile: o.roots, validityProfile: o.validityProfile, dnsServer: o.dnsServer },
    }));
  }
  if (analyzers.length === 0) throw new WildtlsError('WILDTLS_ERR_USAGE', 'no analysis plugin is loaded; add one to the plugins list');
  let skipped = 0;
  let firstSkip = '';
  const onSkip = (where: string, why: string) => {
    if (skipped++ === 0) firstSkip = `${where}: ${why}`;
    setup.logger.debug({ where, why }, 'unreadable line skipped');
  };
  const reports = await analyzeInput(o.files, analyzers, { lenient: o.lenient, onSkip });
  if (skipped > 0) process.stderr.write(`wildtls: skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'} (--lenient); the first: ${firstSkip}\n`);
  return reports;
}
