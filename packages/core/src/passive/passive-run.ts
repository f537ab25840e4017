import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { ResultBus } from '../bus/result-bus.js';
import type { WildtlsConfig } from '../config/core-schema.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { ProbeRecord } from '../record/record-schema.js';
import { createRunContainer } from '../scan/prepare-run.js';
import { createOutputSinks } from '../scan/output-sinks.js';
import type { CaptureInput } from './capture/capture-source.js';
import type { CaptureStats } from './capture/capture-stats.js';
import type { FlowHandlerFactory } from './flow.js';
import { readCaptureFlows } from './read-capture-flows.js';
import type { ReassemblyLimits } from './reassembly/reassembly-limits.js';

/** What a passive record builder gets to make its flow handlers. */
export interface PassiveFactoryContext {
  config: WildtlsConfig;
  registry: PluginRegistry;
  logger: Logger;
  /** The watched server ports and the service each one is (the scan's service/port map). */
  services: ReadonlyMap<number, string>;
  /** The user's privacy choice: client addresses replaced by a keyed hash (on by default), the key's file. */
  privacy: PassivePrivacy;
  /** Put a record on the result bus (to the sinks, marked source "passive" by the builder); capture reading waits while the bus is full. */
  emit(record: ProbeRecord): void;
}

export interface PassivePrivacy { anonymize: boolean; clientKeyFile?: string }

/** Makes the flow handler factory of a passive run (the record builder plugs in here). */
export type PassiveFactoryMaker = (ctx: PassiveFactoryContext) => FlowHandlerFactory;

export interface PassiveRunOptions {
  logger: Logger;
  services: ReadonlyMap<number, string>;
  makeFactory: PassiveFactoryMaker;
  privacy?: PassivePrivacy;
  limits?: Partial<ReassemblyLimits>;
  stdout?: Writable;
}

export interface PassiveOutcome {
  stats: CaptureStats;
  /** Records written to the sinks. */
  records: number;
}

/** Read captures, follow their connections with the maker's handlers, and write the records through config.output's sinks. */
export async function passiveFromConfig(config: WildtlsConfig, registry: PluginRegistry, inputs: readonly CaptureInput[], opts: PassiveRunOptions): Promise<PassiveOutcome> {
  const { logger } = opts;
  const container = await createRunContainer(config, registry, logger);
  const sinks = await createOutputSinks(config, registry, container, logger, { stdout: opts.stdout });
  const bus = new ResultBus<ProbeRecord>(256);
  let records = 0;
  // Each sink in turn; a sink's promise is awaited, a sink that returns none (the JSONL sink, mostly) is not.
  const writeFrom = (record: ProbeRecord, from: number): Promise<void> | undefined => {
    for (let i = from; i < sinks.length; i++) {
      const written = sinks[i]!.write(record) as Promise<void> | undefined;
      if (written) return written.then(() => writeFrom(record, i + 1));
    }
    records++;
    return undefined;
  };
  bus.subscribe('sinks', (record) => writeFrom(record, 0));
  let waiting: Array<Promise<void>> = [];
  const factory = opts.makeFactory({
    config, registry, logger, services: opts.services, privacy: opts.privacy ?? { anonymize: true },
    emit: (record) => { waiting.push(bus.publish(record)); },
  });
  let stats: CaptureStats;
  try {
    stats = await readCaptureFlows(inputs, factory, {
      watchPorts: new Set(opts.services.keys()),
      limits: opts.limits,
      onHandlerError: (err, start) => logger.error({ err, flow: start }, 'passive: a flow handler threw (our bug); the flow is dropped'),
      between: () => {
        if (waiting.length === 0) return;
        const all = Promise.all(waiting).then(() => undefined);
        waiting = [];
        return all;
      },
    });
    await Promise.all(waiting);
  } finally {
    await Promise.allSettled(waiting); // records of a capture that failed still reach the sinks
    try {
      await bus.close();
    } finally {
      await Promise.all(sinks.map((s) => s.close()));
    }
  }
  // Counted once the bus is drained: a publish resolves when the record is queued, not written, and
  // connections that end with the capture are all queued at its end.
  return { stats, records };
}
