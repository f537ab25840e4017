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
import { JsonlSink } from '../sinks/jsonl-sink.js';
import type { Sink } from '../sinks/sink.js';
import { Exclusions } from '../targets/blocklist.js';
import { InlineTargetSource } from '../targets/inline-target-source.js';
import type { TargetSource } from '../targets/target-source.js';
import type { TlsEngine, TlsProfileRef } from '../tls/engine.js';
import { runScan, type ScanService, type ScanSummary } from './run-scan.js';

export interface RunEnvironment {
  logger: Logger;
  stdout?: Writable;
  stdin?: Readable;
  signal?: AbortSignal;
  /** Engines by name (`tls.engine`); the CLI registers the raw engine and node's. */
  engines: Record<string, TlsEngine>;
  /** Resolve a profile name (or user profile) to a ClientHello profile. */
  resolveProfile?: (name: string, config: WildtlsConfig) => TlsProfileRef;
}

export interface ScanOutcome {
  summary: ScanSummary;
  reports: Report[];
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

/** Run a whole scan as configured: targets, probes, bus, sinks and live analyses. */
export async function scanFromConfig(config: WildtlsConfig, registry: PluginRegistry, env: RunEnvironment): Promise<ScanOutcome> {
  const { logger } = env;
  const scan = config.scan;
  if (scan.protocols.length === 0) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `no protocol to scan: give --protocol (one of ${registry.serviceNames().sort().join(', ')}) or scan.protocols in the config`);
  }
  const services: ScanService[] = scan.protocols.map((name) => {
    const service = registry.service(name);
    return {
      service,
      ports: scan.ports.length ? scan.ports : [service.spec.defaultPort],
      options: (config.options as Record<string, unknown>)[service.plugin.id] ?? {},
    };
  });
  const engine = env.engines[config.tls.engine];
  if (!engine) throw new WildtlsError('WILDTLS_ERR_USAGE', `unknown TLS engine "${config.tls.engine}"`);
  const resolve = env.resolveProfile ?? ((name: string) => ({ name }));
  const ladder = [config.tls.profile, ...config.tls.fallback].map((n) => resolve(n, config));

  const container = await createRunContainer(config, registry, logger);
  const bus = new ResultBus<ProbeRecord>(256);
  container.register(TOKENS.ResultBus, { useValue: bus });
  container.register(TOKENS.TlsEngine, { useValue: engine });

  const sinks: Sink[] = [new JsonlSink({ path: config.output.path, gzip: config.output.gzip }, env.stdout)];
  for (const entry of config.output.sinks) {
    const { use, ...settings } = entry;
    if (use === 'jsonl') {
      sinks.push(new JsonlSink(settings as { path: string; gzip?: boolean }, env.stdout));
      continue;
    }
    const plugin = registry.sinks().find((s) => s.id === use);
    if (!plugin) throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `output.sinks: no sink plugin with id "${use}" is loaded`);
    sinks.push(await plugin.create({ settings, options: (config.options as Record<string, unknown>)[plugin.id], logger: logger.child({ sink: use }), container }));
  }
  sinks.forEach((s, i) => bus.subscribe(`sink-${i}`, (r) => s.write(r)));

  const analyzers: Array<{ id: string; analyzer: Analyzer }> = [];
  for (const id of config.analyses) {
    const plugin = registry.analyses().find((a) => a.id === id);
    if (!plugin) throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `analyses: no analysis plugin with id "${id}" is loaded (loaded: ${registry.analyses().map((a) => a.id).join(', ') || 'none'})`);
    const analyzer = await plugin.create({ options: (config.options as Record<string, unknown>)[id], logger: logger.child({ analysis: id }), container, params: {} });
    analyzers.push({ id, analyzer });
    bus.subscribe(`analysis-${id}`, (r) => analyzer.consume(r));
  }

  const exclusions = new Exclusions({ allow: scan.allow, blocklistFiles: scan.blocklist, allowlistFile: scan.allowlist });
  const source: TargetSource = new InlineTargetSource({ targets: scan.targets, input: scan.input, stdin: env.stdin, exclusions, logger });
  let summary: ScanSummary;
  try {
    summary = await runScan({
      source,
      services,
      engine,
      bus,
      concurrency: scan.concurrency,
      logger,
      signal: env.signal,
      probe: {
        timeouts: { connectMs: scan.timeout.connect, readMs: scan.timeout.read, probeMs: scan.timeout.probe },
        maxLineBytes: scan.maxLineBytes,
        maxTotalBytes: scan.maxBytes,
        ladder,
        observeOnly: config.tls.observeOnly,
        sni: config.tls.sni,
        connectRetries: scan.connectRetries,
      },
    });
  } finally {
    await bus.close().finally(() => Promise.all(sinks.map((s) => s.close())));
  }
  const reports: Report[] = [];
  for (const a of analyzers) reports.push(await a.analyzer.finish());
  logger.info({ summary }, 'scan finished');
  return { summary, reports };
}
