import type { Writable } from 'node:stream';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { WildtlsConfig } from '../config/core-schema.js';
import { WildtlsError } from '../errors.js';
import type { PluginRegistry } from '../plugin/registry.js';
import { JsonlSink } from '../sinks/jsonl-sink.js';
import type { Sink } from '../sinks/sink.js';

/** The sinks of config.output: the primary JSONL output, then each of output.sinks (JSONL or a sink plugin). Shared by scan and passive. */
export async function createOutputSinks(
  config: WildtlsConfig,
  registry: PluginRegistry,
  container: DependencyContainer,
  logger: Logger,
  opts: { append?: boolean; stdout?: Writable } = {},
): Promise<Sink[]> {
  const sinks: Sink[] = [new JsonlSink({ path: config.output.path, gzip: config.output.gzip, append: opts.append }, opts.stdout)];
  for (const entry of config.output.sinks) {
    const { use, ...settings } = entry;
    if (use === 'jsonl') {
      sinks.push(new JsonlSink(settings as { path: string; gzip?: boolean }, opts.stdout));
      continue;
    }
    const plugin = registry.sinks().find((s) => s.id === use);
    if (!plugin) throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `output.sinks: no sink plugin with id "${use}" is loaded`);
    sinks.push(await plugin.create({ settings, options: (config.options as Record<string, unknown>)[plugin.id], logger: logger.child({ sink: use }), container }));
  }
  return sinks;
}
