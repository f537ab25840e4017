/** pino's numeric levels by name (pino.levels.labels without importing pino here). */
const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every line has that a person does not need to read. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);
/** A line stays readable: a long field value is cut (the JSON log has it whole). */
const MAX_VALUE = 300;

function show(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'message' in value && typeof (value as { message: unknown }).message === 'string') {
    const e = value as { message: string; code?: unknown };
    return JSON.stringify(typeof e.code === 'string' ? `${e.message} [${e.code}]` : e.message);
  }
  const text = typeof value === 'string' && /^[\w./:@+-]*$/.test(value) && value !== '' ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}...` : text;
}

/**
 * One pino JSON log line as one human line: `wildtls: warn: message (key=value ...)`.
 * The stack of an error is shown at trace/debug level only (a user's run shows the message).
 */
export function formatHumanLine(json: string): string {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `wildtls: ${json.trimEnd()}\n`;
  }
  const level = typeof obj.level === 'number' ? (LEVELS[obj.level] ?? String(obj.level)) : typeof obj.level === 'string' ? obj.level : 'info';
  const fields = Object.entries(obj)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${show(v)}`);
  const err = (obj.err ?? obj.error) as { stack?: unknown } | undefined;
  const stack = typeof obj.level === 'number' && obj.level <= 20 && err && typeof err.stack === 'string' ? `\n${err.stack}` : '';
  return `wildtls: ${level}: ${typeof obj.msg === 'string' ? obj.msg : ''}${fields.length ? ` (${fields.join(' ')})` : ''}${stack}\n`;
}

/** A pino destination that writes human lines to a stream, synchronously (one write per line). */
export function humanDestination(stream: { write(chunk: string): unknown }): { write(line: string): void } {
  return { write: (line: string) => void stream.write(formatHumanLine(line)) };
}
