import pino, { type Logger, type LevelWithSilent } from 'pino';
import { humanDestination } from './human-line.js';

export type LogFormat = 'pretty' | 'json';

export interface LogSettings {
  level: LevelWithSilent;
  /** Write JSON lines to this file instead of stderr (always JSON). */
  file?: string;
  /** On stderr: one human line per message (`wildtls: warn: ...`, the default) or pino's JSON lines. */
  format?: LogFormat;
}

/** The one logger of a run; components take children of it (`logger.child({ component })`). */
export function createLogger(settings: LogSettings): Logger {
  const base = { name: 'wildtls', level: settings.level };
  if (settings.file) return pino(base, pino.destination({ dest: settings.file, sync: false, mkdir: true }));
  if (settings.format === 'json') return pino(base, pino.destination({ dest: 2, sync: true }));
  return pino(base, humanDestination(process.stderr));
}

/** A logger that drops everything (tests, library use without a logger). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
