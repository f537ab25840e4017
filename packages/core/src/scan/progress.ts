import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { LogFormat } from '../log/logger.js';
import type { ProbeStatus } from '../record/status.js';

export interface ProgressStats {
  /** Positions finished (every record of every target before it written). */
  done: number;
  /** Positions in the stream, when known. */
  total: number | undefined;
  /** Records written (per probe). */
  probes: number;
  byStatus: Partial<Record<ProbeStatus, number>>;
  excluded: number;
}

export type ProgressMode = 'auto' | 'bar' | 'log' | 'off';

export interface ProgressOptions {
  mode: ProgressMode;
  intervalMs: number;
  /**
   * Log mode's lines: human (`wildtls: progress: ...`, default) or JSON objects
   * shaped like pino's. They are written to the stream whatever the log level:
   * progress is the scan's output to its user, not a log message.
   */
  format?: LogFormat;
  stats: () => ProgressStats;
  /** Where the bar or the lines go (default stderr); auto mode draws a bar only when this is a TTY. */
  stream?: NodeJS.WriteStream;
}

/** Failures by kind, most frequent first ("success 120, connect-failed 40"). */
export function formatStatuses(byStatus: Partial<Record<ProbeStatus, number>>): string {
  return Object.entries(byStatus)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function eta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Live progress: a bar on a TTY (done/total positions, probe rate, ETA,
 * statuses), periodic lines otherwise. Rates are averaged since the start.
 */
export class ScanProgress {
  private readonly t0 = performance.now();
  private readonly start: ProgressStats;
  private bar: CliProgress.SingleBar | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly mode: 'bar' | 'log' | 'off';
  private readonly stream: NodeJS.WriteStream;

  constructor(private readonly opts: ProgressOptions) {
    const stream = (this.stream = opts.stream ?? process.stderr);
    this.mode = opts.mode === 'auto' ? (stream.isTTY ? 'bar' : 'log') : opts.mode;
    this.start = opts.stats();
    if (this.mode === 'bar') {
      // The bar appears only once the scan has run for a second: short scans stay quiet.
      this.timer = setTimeout(() => {
        // cli-progress loads when a bar is drawn, not at every scan's start-up.
        const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
        this.bar = new cliProgress.SingleBar(
          { stream, format: '{bar} {done}/{totalText} positions | {probes} probes | {rate}/s | ETA {etaText} | {statuses}', hideCursor: true, etaBuffer: 50, fps: 4, noTTYOutput: false },
          cliProgress.Presets.shades_classic,
        );
        const s = opts.stats();
        this.bar.start(Math.max(1, s.total ?? 1), s.done, this.payload(s));
        this.timer = setInterval(() => this.draw(), 250);
        this.timer.unref();
      }, 1000);
    } else if (this.mode === 'log') {
      this.timer = setInterval(() => this.log(), opts.intervalMs);
    }
    this.timer?.unref();
  }

  private payload(s: ProgressStats) {
    const elapsed = (performance.now() - this.t0) / 1000;
    const rate = elapsed > 0 ? (s.probes - this.start.probes) / elapsed : 0;
    const posRate = elapsed > 0 ? (s.done - this.start.done) / elapsed : 0;
    const left = s.total !== undefined && posRate > 0 ? (s.total - s.done) / posRate : NaN;
    return {
      done: s.done,
      totalText: s.total ?? '?',
      probes: s.probes,
      rate: rate.toFixed(rate < 10 ? 1 : 0),
      etaText: eta(left),
      statuses: formatStatuses(s.byStatus) || '-',
      percent: s.total ? Math.min(100, (100 * s.done) / s.total) : undefined,
    };
  }

  private draw(): void {
    const s = this.opts.stats();
    if (s.total !== undefined) this.bar?.setTotal(Math.max(1, s.total));
    this.bar?.update(s.done, this.payload(s));
  }

  private log(): void {
    const s = this.opts.stats();
    const p = this.payload(s);
    const percent = p.percent !== undefined ? Number(p.percent.toFixed(2)) : undefined;
    if (this.opts.format === 'json') {
      const fields = { done: s.done, total: s.total, percent, probes: s.probes, rate: Number(p.rate), eta: p.etaText, byStatus: s.byStatus, excluded: s.excluded };
      this.stream.write(JSON.stringify({ level: 30, time: Date.now(), name: 'wildtls', component: 'progress', ...fields, msg: 'progress' }) + '\n');
      return;
    }
    const of = s.total !== undefined ? `${s.done}/${s.total} positions (${percent}%)` : `${s.done} positions`;
    this.stream.write(`wildtls: progress: ${of} | ${s.probes} probes | ${p.rate}/s | ETA ${p.etaText} | ${p.statuses} | excluded ${s.excluded}\n`);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.bar) {
      this.draw();
      this.bar.stop();
    }
  }
}
