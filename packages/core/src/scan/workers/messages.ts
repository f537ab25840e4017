import type { ProbeSettings } from '../../probe/run-probe.js';
import type { ProbeTarget } from '../../probe/dialog-context.js';
import type { ProbeStatus } from '../../record/status.js';

/**
 * What a probe worker is started with (its `workerData`): everything it needs
 * to run probes exactly as the main thread would, and nothing it could get
 * out of step with (the target plan, rate limit and checkpoint stay in the
 * main thread). Structured-cloneable data only.
 */
export interface WorkerSetup {
  /** Module files of the protocol plugins, as the main thread resolved them (LoadedPlugin.entry). */
  plugins: string[];
  /** `tls.engine`: a built-in engine name (raw, node). */
  engine: string;
  /** The probe settings, profile ladder resolved (probeSettingsFromConfig). */
  settings: ProbeSettings;
  /** Each protocol plugin's options section, by plugin id. */
  options: Record<string, unknown>;
  log: { level: string; file?: string; format?: 'pretty' | 'json' };
}

/** One probe to run. */
export interface ProbeRequest {
  /** The pool's job number, echoed in the answer. */
  id: number;
  target: ProbeTarget;
  protocolId: string;
}

/**
 * Main thread to worker: the probes the main thread admitted for this worker
 * in one turn of its event loop, in one message (as the answers come back:
 * a message costs a wake-up of the thread it goes to, whatever its size).
 */
export interface ProbeRequests {
  type: 'probes';
  jobs: ProbeRequest[];
}

/** Worker to main thread: the worker loaded its plugins and takes jobs. */
export interface WorkerReady {
  type: 'ready';
}

/**
 * Worker to main thread: the probe's one record, serialized once in the
 * worker. `status` and `key` are what the main thread needs without parsing
 * (counting, exactly-once accounting); the line is the record as the JSONL
 * sink writes it, without the newline.
 */
export interface ProbeAnswer {
  id: number;
  line: string;
  status: ProbeStatus;
  key: string;
}

/**
 * Worker to main thread: the answers of one turn of the worker's event loop,
 * in one message (a postMessage costs far more than its payload: batching
 * halves the worker's messaging cost when many probes end together).
 */
export interface ProbeAnswers {
  type: 'records';
  answers: ProbeAnswer[];
}

/** Worker to main thread: runProbe rejected (a kernel bug; in-process the scan stops with it too). */
export interface ProbeFailure {
  type: 'failed';
  id: number;
  message: string;
  stack?: string;
}

export type WorkerMessage = WorkerReady | ProbeAnswers | ProbeFailure;
