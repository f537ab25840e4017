import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { Readable, Writable } from 'node:stream';
import { ResultBus } from '../bus/result-bus.js';
import type { WildtlsConfig } from '../config/core-schema.js';
import { TOKENS } from '../di/tokens.js';
import { WildtlsError } from '../errors.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { Analyzer } from '../analysis/analyzer.js';
import type { Report } from '../analysis/report.js';
import type { Sink } from '../sinks/sink.js';
import type { ProbeSettings } from '../probe/run-probe.js';
import type { TlsEngine, TlsProfileRef } from '../tls/engine.js';
import { createAdmission } from '../rate/admission.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { PositionTracker } from './position-tracker.js';
import { ScanProgress } from './progress.js';
import { prepareOutput } from './resume-output.js';
import { runScan, type ScanSummary } from './run-scan.js';
import { planDifferences, scanPlan, type ScanPlan } from './scan-plan.js';
import { SinkWriter } from './sink-writer.js';
import { createOutputSinks } from './output-sinks.js';
import type { StoreSink } from '../store/store-sink.js';
import { buildServices, createTargetSource, registerTargetServices, settleSeed } from './target-plan.js';
import { probeRunnerFor } from './workers/start-pool.js';

export interface RunEnvironment {
  logger: Logger;
  stdout?: Writable;
  stdin?: Readable;
  /** Aborting stops admission; in-flight probes get `scan.shutdownGrace` ms, then sinks and checkpoint are flushed. */
  signal?: AbortSignal;
  /** Re-read the blocklist/allowlist files on SIGHUP while the scan runs (the CLI sets this). */
  reloadOnSighup?: boolean;
  /** Called once when stdout's reader closes the pipe (EPIPE) while the output goes to stdout; records are dropped from then on. */
  onOutputClosed?: () => void;
  /** Where the progress bar is drawn (default stderr). */
  progressStream?: NodeJS.WriteStream;
  /** Engines by name (`tls.engine`); the CLI registers the raw engine and node's. */
  engines: Record<string, TlsEngine>;
  /** Resolve a profile name (or user profile) to a ClientHello profile. */
  resolveProfile?: (name: string, config: WildtlsConfig) => TlsProfileRef;
}

export interface ScanOutcome {
  summary: ScanSummary;
  reports: Report[];
}

/** The settings every probe of a scan runs with: deadlines, byte caps, the profile ladder (tls.profile then tls.fallback). */
export function probeSettingsFromConfig(config: WildtlsConfig, resolveProfile?: RunEnvironment['resolveProfile']): ProbeSettings {
  const { scan, tls } = config;
  const resolve = resolveProfile ?? ((name: string) => ({ name }));
  return {
    timeouts: { connectMs: scan.timeout.connect, readMs: scan.timeout.read, probeMs: scan.timeout.probe },
    maxLineBytes: scan.maxLineBytes,
    maxTotalBytes: scan.maxBytes,
    ladder: [tls.profile, ...tls.fallback].map((n) => resolve(n, config)),
    observeOnly: tls.observeOnly,
    sni: tls.sni,
    connectRetries: scan.connectRetries,
    ...(tls.keyShareReuse.handshakes > 1 ? { keyShareReuse: { handshakes: tls.keyShareReuse.handshakes, ms: tls.keyShareReuse.seconds * 1000 } } : {}),
  };
}

/** A DI container for one run, with the kernel's services registered. */
export async function createRunContainer(config: WildtlsConfig, registry: PluginRegistry, logger: Logger): Promise<DependencyContainer> {
  const c = rootContainer.createChildContainer();
  c.register(TOKENS.Logger, { useValue: logger });
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.Plugins, { useValue: registry });
  for (const p of registry.plugins) {
    await p.register?.({ container: c, logger: logger.child({ plugin: p.id }), options: (config.options as Record<string, unknown>)[p.id] });
  }
  return c;
}

/** Run a whole scan as configured: targets, probes, bus, sinks and live analyses; checkpoints and resume. */
export async function scanFromConfig(config: WildtlsConfig, registry: PluginRegistry, env: RunEnvironment): Promise<ScanOutcome> {
  const { logger } = env;
  const scan = config.scan;
  const services = buildServices(config, registry);
  const engine = env.engines[config.tls.engine];
  if (!engine) throw new WildtlsError('WILDTLS_ERR_USAGE', `unknown TLS engine "${config.tls.engine}"`);
  const probeSettings = probeSettingsFromConfig(config, env.resolveProfile);

  let resumeFrom: Checkpoint | undefined;
  if (scan.resume) {
    if (!scan.checkpoint) throw new WildtlsError('WILDTLS_ERR_USAGE', '--resume needs the checkpoint file of the interrupted scan (--checkpoint or scan.checkpoint)');
    resumeFrom = readCheckpoint(scan.checkpoint);
    if (resumeFrom.shards !== scan.shards || resumeFrom.shard !== scan.shard) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `the checkpoint is for shard ${resumeFrom.shard} of ${resumeFrom.shards}; resume with --shards ${resumeFrom.shards} --shard ${resumeFrom.shard}`);
    }
  }
  const seed = settleSeed(config, resumeFrom?.seed);
  const plan = scanPlan(config, services, seed);
  if (resumeFrom) checkResumePlan(resumeFrom, plan, scan.checkpoint!, logger);

  const container = await createRunContainer(config, registry, logger);
  const bus = new ResultBus<ProbeRecord>(256);
  container.register(TOKENS.ResultBus, { useValue: bus });
  container.register(TOKENS.TlsEngine, { useValue: engine });
  const exclusions = registerTargetServices(config, container, env);
  const source = await createTargetSource(config, registry, container, logger);
  // Read the targets first: an invalid or missing target stops the run before the output is opened.
  await source.prepare?.();
  const identity = { source: scan.source, fingerprint: source.fingerprint?.() ?? scan.source, seed, shards: scan.shards, shard: scan.shard, plan };
  if (resumeFrom && (resumeFrom.source !== identity.source || resumeFrom.fingerprint !== identity.fingerprint)) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `the checkpoint ${scan.checkpoint} was written by a scan of other targets (source ${resumeFrom.source}); resume with the same targets, input and options`);
  }

  // The primary JSONL output: on resume, cut back to its length at the checkpoint and append.
  const primary = prepareOutput(config, resumeFrom);
  const sinks: Sink[] = await createOutputSinks(config, registry, container, logger, { append: primary.append, resumeAt: primary.resumeAt, stdout: env.stdout, onOutputClosed: env.onOutputClosed });

  const tracker = new PositionTracker(resumeFrom?.position ?? 0, resumeFrom?.counters, resumeFrom?.written);
  const writer = new SinkWriter({
    sinks,
    tracker,
    source,
    logger,
    prior: resumeFrom?.counters,
    checkpoint: scan.checkpoint ? { path: scan.checkpoint, intervalMs: scan.checkpointInterval, identity, outputPath: primary.file ?? primary.store, outputRecords: primary.store ? () => (sinks[0] as StoreSink).count() : undefined } : undefined,
  });
  bus.subscribe('sinks', writer.handle);

  const analyzers: Array<{ id: string; analyzer: Analyzer }> = [];
  for (const id of config.analyses) {
    const plugin = registry.analyses().find((a) => a.id === id);
    if (!plugin) throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `analyses: no analysis plugin with id "${id}" is loaded (loaded: ${registry.analyses().map((a) => a.id).join(', ') || 'none'})`);
    const analyzer = await plugin.create({ options: (config.options as Record<string, unknown>)[id], logger: logger.child({ analysis: id }), container, params: {} });
    analyzers.push({ id, analyzer });
    bus.subscribe(`analysis-${id}`, (r) => analyzer.consume(r));
  }

  const onHangup = () => {
    try {
      exclusions.reload();
      logger.info({ generation: exclusions.generation }, 'SIGHUP: blocklist and allowlist reloaded');
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'SIGHUP: reload failed; the previous lists stay in force');
    }
  };
  if (env.reloadOnSighup) process.on('SIGHUP', onHangup);
  // The number of probes, where the source can tell before it streams (prepared above): workers are added only while enough remain.
  // A resumed scan starts at its checkpoint's position: the positions before it are not run again.
  const total = source.total?.();
  const positions = total === undefined ? undefined : Math.max(0, total - (resumeFrom?.position ?? 0));
  const perTarget = services.reduce((n, s) => n + s.ports.length, 0);
  const runner = probeRunnerFor(config, registry, services, probeSettings, engine, logger, positions === undefined ? undefined : positions * perTarget);
  const admit = createAdmission({ rate: scan.rate, burst: scan.burst, perNetwork: scan.perNetworkConcurrency, prefixV4: scan.networkPrefix.v4, prefixV6: scan.networkPrefix.v6 });
  logger.info({ source: scan.source, seed, shards: scan.shards, shard: scan.shard, resumeAt: resumeFrom?.position, rate: scan.rate, concurrency: scan.concurrency, workers: runner.workers }, 'scan starting');
  const progress = new ScanProgress({
    mode: scan.progress,
    intervalMs: scan.progressInterval,
    format: config.log.format,
    stream: env.progressStream,
    stats: () => ({ done: tracker.watermark, total: source.total?.(), probes: writer.probes, byStatus: writer.byStatus, excluded: (resumeFrom?.counters.excluded ?? 0) + source.stats().excluded }),
  });

  let summary: ScanSummary;
  try {
    // A checkpoint exists from the start, so a scan killed at once can be resumed too.
    await writer.checkpoint();
    await runner.start();
    summary = await runScan({
      source,
      services,
      engine,
      bus,
      concurrency: scan.concurrency,
      logger,
      signal: env.signal,
      graceMs: scan.shutdownGrace,
      // An admission that can never hold a probe back (rate 0, the per-network cap at least the concurrency) is not asked.
      admit: admit.binds(scan.concurrency) ? admit : undefined,
      excludes: (ip) => exclusions.excludes(ip),
      from: resumeFrom?.position,
      skip: resumeFrom ? countKeys(resumeFrom.written) : undefined,
      tracker,
      probe: probeSettings,
      run: runner.run,
    });
    if (runner.crashes) summary = { ...summary, workerCrashes: runner.crashes };
    if (runner.workersAdded) summary = { ...summary, workersAdded: runner.workersAdded };
  } finally {
    progress.stop();
    await runner.close();
    if (env.reloadOnSighup) process.off('SIGHUP', onHangup);
    try {
      await bus.close();
      await writer.checkpoint();
    } finally {
      await Promise.all(sinks.map((s) => s.close()));
    }
  }
  if (resumeFrom) {
    summary = { ...summary, targets: summary.targets + resumeFrom.counters.targets, excluded: summary.excluded + resumeFrom.counters.excluded, invalid: summary.invalid + resumeFrom.counters.invalid };
  }
  summary = { ...summary, probes: writer.probes, byStatus: { ...writer.byStatus } };
  const reports: Report[] = [];
  for (const a of analyzers) reports.push(await a.analyzer.finish());
  // Debug only: the caller shows the summary to its user (the CLI once, on stderr).
  logger.debug({ summary }, summary.stopped ? 'scan stopped' : 'scan finished');
  return { summary, reports };
}

/**
 * `--resume` continues the same scan or nothing: another plan would append a
 * different scan to the output. A checkpoint from before plans were stored
 * is accepted with a warning (its source fingerprint still checks targets,
 * seed and shard; services, ports and TLS settings cannot be checked).
 */
function checkResumePlan(checkpoint: Checkpoint, plan: ScanPlan, path: string, logger: Logger): void {
  if (!checkpoint.plan) {
    logger.warn({ checkpoint: path }, 'the checkpoint predates stored scan plans: services, ports and TLS settings cannot be checked; resume with exactly the options of the interrupted scan');
    return;
  }
  if (checkpoint.plan.fingerprint === plan.fingerprint) return;
  const changes = planDifferences(checkpoint.plan.summary, plan.summary);
  throw new WildtlsError('WILDTLS_ERR_USAGE', `--resume: the scan plan differs from the checkpoint ${path} (${changes.join('; ') || 'its fingerprint differs'}); resume with the options of the interrupted scan, or start a new scan with another --output and --checkpoint`);
}

function countKeys(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}
