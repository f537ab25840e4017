import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ScanProgress, formatStatuses, type ProgressStats } from '@wildtls/core';

describe('progress', () => {
  it('writes periodic pino lines with done/total, rate, ETA and statuses when not on a TTY', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        cb();
      },
    });
    const logger = pino({ level: 'info' }, sink);
    const stats: ProgressStats = { done: 0, total: 1000, probes: 0, byStatus: {}, excluded: 3 };
    const notTty = Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }) as unknown as NodeJS.WriteStream;
    const progress = new ScanProgress({ mode: 'auto', intervalMs: 100, logger, stats: () => ({ ...stats }), stream: notTty });
    await new Promise((r) => setTimeout(r, 120));
    stats.done = 500;
    stats.probes = 480;
    stats.byStatus = { success: 400, 'connect-failed': 60, timeout: 20 };
    await new Promise((r) => setTimeout(r, 120));
    progress.stop();
    const last = lines.filter((l) => l.msg === 'progress').at(-1)!;
    expect(last).toMatchObject({ done: 500, total: 1000, percent: 50, probes: 480, excluded: 3, byStatus: { success: 400, 'connect-failed': 60, timeout: 20 } });
    expect(last.rate as number).toBeGreaterThan(0);
    expect(last.eta).toMatch(/^\d+s$/);
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(lines.length).toBe(count); // stopped
  });

  it('lists statuses most frequent first', () => {
    expect(formatStatuses({ timeout: 2, success: 9, 'connect-failed': 5 })).toBe('success 9, connect-failed 5, timeout 2');
  });
});
