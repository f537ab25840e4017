import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ScanProgress, formatStatuses, type LogFormat, type ProgressStats } from '@wildtls/core';

/** A non-TTY stream that keeps what was written, line by line. */
function capture(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream: Object.assign(sink, { isTTY: false }) as unknown as NodeJS.WriteStream, lines };
}

async function runTwoTicks(format: LogFormat | undefined) {
  const { stream, lines } = capture();
  const stats: ProgressStats = { done: 0, total: 1000, probes: 0, byStatus: {}, excluded: 3 };
  const progress = new ScanProgress({ mode: 'auto', intervalMs: 100, format, stats: () => ({ ...stats }), stream });
  await new Promise((r) => setTimeout(r, 120));
  stats.done = 500;
  stats.probes = 480;
  stats.byStatus = { success: 400, 'connect-failed': 60, timeout: 20 };
  await new Promise((r) => setTimeout(r, 120));
  progress.stop();
  const n = lines.length;
  await new Promise((r) => setTimeout(r, 150));
  expect(lines.length).toBe(n); // stopped
  return lines;
}

describe('progress', () => {
  it('writes periodic JSON lines (pino-shaped) with done/total, rate, ETA and statuses when not on a TTY, format json', async () => {
    const lines = (await runTwoTicks('json')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines.filter((l) => l.msg === 'progress').at(-1)!;
    expect(last).toMatchObject({ level: 30, name: 'wildtls', component: 'progress', done: 500, total: 1000, percent: 50, probes: 480, excluded: 3, byStatus: { success: 400, 'connect-failed': 60, timeout: 20 } });
    expect(last.rate as number).toBeGreaterThan(0);
    expect(last.eta).toMatch(/^\d+s$/);
  });

  it('writes periodic human lines by default', async () => {
    const lines = await runTwoTicks(undefined);
    expect(lines[0]).toBe('wildtls: progress: 0/1000 positions (0%) | 0 probes | 0.0/s | ETA ? | - | excluded 3');
    expect(lines.at(-1)).toMatch(/^wildtls: progress: 500\/1000 positions \(50%\) \| 480 probes \| \d+\/s \| ETA \d+s \| success 400, connect-failed 60, timeout 20 \| excluded 3$/);
  });

  it('lists statuses most frequent first', () => {
    expect(formatStatuses({ timeout: 2, success: 9, 'connect-failed': 5 })).toBe('success 9, connect-failed 5, timeout 2');
  });
});
