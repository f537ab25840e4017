// The entry of a probe worker thread: loads the scan's protocol plugins and
// engine, then runs each probe the main thread sends and posts its record back.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { LevelWithSilent } from 'pino';
import { createLogger } from '../../log/logger.js';
import { checkPlugin } from '../../plugin/load-plugins.js';
import type { ResolvedService } from '../../plugin/registry.js';
import { runProbe } from '../../probe/run-probe.js';
import { recordLine } from '../../record/record-line.js';
import { probeKey } from '../position-tracker.js';
import { workerEngine } from './worker-engines.js';
import type { ProbeAnswer, ProbeAnswers, ProbeFailure, ProbeRequest, ProbeRequests, WorkerSetup } from './messages.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const services = new Map<string, ResolvedService>();
for (const entry of setup.plugins) {
  const mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  const plugin = checkPlugin(mod.default ?? mod.plugin, entry);
  if (plugin.kind !== 'protocol') continue;
  for (const spec of plugin.services) services.set(spec.name, { plugin, spec });
}
const engine = workerEngine(setup.engine);
// One write per line (human or JSON), so threads sharing stderr or the log file never interleave within a line.
const logger = createLogger({ level: setup.log.level as LevelWithSilent, file: setup.log.file, format: setup.log.format }).child({ component: 'scan' });

// Answers ready in one turn of the event loop leave in one message.
let batch: ProbeAnswer[] = [];
const flush = () => {
  port.postMessage({ type: 'records', answers: batch } satisfies ProbeAnswers);
  batch = [];
};

port.on('message', (msg: ProbeRequests) => {
  for (const req of msg.jobs) start(req);
});

function start(req: ProbeRequest): void {
  const resolved = services.get(req.target.service);
  if (!resolved) {
    port.postMessage({ type: 'failed', id: req.id, message: `probe worker: no plugin provides service "${req.target.service}"` } satisfies ProbeFailure);
    return;
  }
  const job = { target: req.target, protocolId: req.protocolId, spec: resolved.spec, options: setup.options[req.protocolId] ?? {} };
  runProbe(job, engine, setup.settings, logger).then(
    (record) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ id: req.id, line: recordLine(record), status: record.status, key: probeKey(record) });
    },
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ type: 'failed', id: req.id, message: e.message, stack: e.stack } satisfies ProbeFailure);
    },
  );
}
port.postMessage({ type: 'ready' });
