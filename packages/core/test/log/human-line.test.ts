import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { formatHumanLine } from '@wildtls/core';

/** Log through a real pino logger and format what it writes (the shape pino really produces). */
function humanLinesOf(log: (l: pino.Logger) => void): string[] {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out.push(formatHumanLine(String(chunk)));
      cb();
    },
  });
  const logger = pino({ name: 'wildtls', level: 'trace' }, sink);
  log(logger);
  return out;
}

describe('formatHumanLine', () => {
  it('one line: prefix, level word, message, then the fields (no time, pid, host)', () => {
    const [line] = humanLinesOf((l) => l.child({ component: 'scan' }).warn({ ip: '127.0.0.1', n: 3, list: ['a b'] }, 'slow server'));
    expect(line).toBe('wildtls: warn: slow server (component=scan ip=127.0.0.1 n=3 list=["a b"])\n');
  });

  it("an error shows its message and code; its stack only at debug and below", () => {
    const err = Object.assign(new Error('boom'), { code: 'WILDTLS_ERR_X' });
    const [atError, atDebug] = humanLinesOf((l) => {
      l.error({ err }, 'failed');
      l.debug({ err }, 'failed');
    });
    expect(atError).toBe('wildtls: error: failed (err="boom [WILDTLS_ERR_X]")\n');
    expect(atDebug!.split('\n')[0]).toBe('wildtls: debug: failed (err="boom [WILDTLS_ERR_X]")');
    expect(atDebug).toContain('Error: boom\n    at ');
  });

  it('a long value is cut; a line that is not JSON is passed on prefixed', () => {
    const [line] = humanLinesOf((l) => l.info({ big: 'x'.repeat(1000) }, 'm'));
    expect(line!.length).toBeLessThan(400);
    expect(line).toContain('...');
    expect(formatHumanLine('not json\n')).toBe('wildtls: not json\n');
  });
});
