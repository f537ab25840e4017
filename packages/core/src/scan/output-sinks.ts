import type { Writable } from 'node:stream';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { WildtlsConfig } from '../config/core-schema.js';
import { WildtlsError } from '../errors.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { JsonlSink } from '../sinks/jsonl-sink.js';
import type { Sink } from '../sinks/sink.js';
import { StoreSink } from '../store/store-sink.js';
import { isStorePath } from './resume-output.js';

/** The sinks of config.output: the primary output (JSONL, or a result store for a .duckdb path), then each of output.sinks (jsonl, duckdb or a sink plugin). Shared by scan and passive. */
export async function createOutputSinks(
  config: WildtlsConfig,
  registry: PluginRegistry,
  container: DependencyContainer,
  logger: Logger,
  opts: { append?: boolean; stdout?: Writable; onOutputClosed?: () => void; resumeAt?: number } = {},
): Promise<Sink[]> {
  const sinks: Sink[] = [];
  const close = async (err: unknown): Promise<never> => {
    await Promise.allSettled(sinks.map((s) => s.close()));
    throw err;
  };
  const path = config.output.path;
  if (isStorePath(path)) sinks.push(await StoreSink.open({ path, resumeAt: opts.resumeAt, createdBy: 'wildtls scan' }));
  else sinks.push(new JsonlSink({ path, gzip: config.output.gzip, append: opts.append }, opts.stdout, opts.onOutputClosed));
  for (const entry of config.output.sinks) {
    const { use, ...settings } = entry;
    if (use === 'duckdb') {
      const storePath = (settings as { path?: unknown }).path;
      if (typeof storePath !== 'string' || !storePath) await close(new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', 'output.sinks: a duckdb sink needs a path'));
      sinks.push(await StoreSink.open({ path: storePath as string, createdBy: 'wildtls scan' }).catch(close));
      continue;
    }
    if (use === 'jsonl') {
      sinks.push(new JsonlSink(settings as { path: string; gzip?: boolean }, opts.stdout, opts.onOutputClosed));
      continue;
    }
    const plugin = registry.sinks().find((s) => s.id === use);
    if (!plugin) throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `output.sinks: no sink plugin with id "${use}" is loaded`);
    sinks.push(await plugin.create({ settings, options: (config.options as Record<string, unknown>)[plugin.id], logger: logger.child({ sink: use }), container }));
  }
  return sinks;
}
