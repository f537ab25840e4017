// Writes a population's records as JSONL (gzip when the name ends in .gz),
// streamed: the truth tests' mid-size files and the benchmark's million. See
// README.md beside this file.
import { createWriteStream, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { buildPopulation } from './population.mjs';

/**
 * JSON.stringify's output, with the text of frozen objects (a fixture record's
 * unchanged parts, a group's SASL lists) kept and reused: a synthetic record
 * shares those with its fixture record and its group.
 */
const memo = new WeakMap();
export function stringify(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  let s = memo.get(v);
  if (s !== undefined) return s;
  if (Array.isArray(v)) {
    s = `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : stringify(x))).join(',')}]`;
  } else {
    const parts = [];
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x === undefined || typeof x === 'function') continue;
      parts.push(`${JSON.stringify(k)}:${stringify(x)}`);
    }
    s = `{${parts.join(',')}}`;
  }
  // Arrays of strings (chains) are cheap to join again and too many to keep.
  if (Object.isFrozen(v) && !(Array.isArray(v) && typeof v[0] === 'string')) memo.set(v, s);
  return s;
}

/** Write records (any iterable) as JSONL; resolves to how many were written. */
export async function writeRecords(records, file) {
  const out = createWriteStream(file);
  const gz = file.endsWith('.gz') ? createGzip({ level: 1 }) : undefined;
  if (gz) gz.pipe(out);
  const sink = gz ?? out;
  let n = 0;
  let buf = [];
  let size = 0;
  for (const r of records) {
    const line = stringify(r);
    buf.push(line);
    size += line.length;
    n++;
    if (size > 1 << 20) {
      sink.write(buf.join('\n') + '\n');
      // gzip runs on the thread pool: keep making records while it works, up to 64 MiB ahead.
      if (sink.writableLength > 1 << 26) await once(sink, 'drain');
      buf = [];
      size = 0;
    }
  }
  if (buf.length) sink.write(buf.join('\n') + '\n');
  sink.end();
  await once(out, 'close');
  return n;
}

/**
 * Build a population (scaled) and write it to `file`, its trust anchor to
 * `<file>.roots.pem` and what was made to `<file>.made.json`; resolves to the
 * built population and that summary.
 */
export async function writePopulation(population, file, { scale = 1 } = {}) {
  const built = await buildPopulation(population, { scale });
  const records = await writeRecords(built.records(), file);
  const made = { ...built.made, records, at: built.at.toISOString(), scale };
  writeFileSync(`${file}.roots.pem`, built.rootPem);
  writeFileSync(`${file}.made.json`, JSON.stringify(made, null, 1) + '\n');
  return { built, made };
}
