import { createRequire } from 'node:module';
import pino, { type Logger, type LevelWithSilent } from 'pino';

export interface LogSettings {
  level: LevelWithSilent;
  /** Write JSON lines to this file instead of stderr. */
  file?: string;
  /** Pretty-print (default: when stderr is a TTY and no file is given). */
  pretty?: boolean;
}

/** The one logger of a run; components take children of it (`logger.child({ component })`). */
export function createLogger(settings: LogSettings): Logger {
  const base = { name: 'wildtls', level: settings.level };
  if (settings.file) return pino(base, pino.destination({ dest: settings.file, sync: false, mkdir: true }));
  const pretty = settings.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    const require = createRequire(import.meta.url);
    const prettyFactory = require('pino-pretty') as (o: object) => NodeJS.WritableStream;
    return pino(base, prettyFactory({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname,name' }) as never);
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything (tests, library use without a logger). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
