/**
 * The two TXT records of SMTP policy: `_mta-sts.<domain>` (RFC 8461 3.1) and
 * `_smtp._tls.<domain>` (RFC 8460 3). Each TXT record arrives as its strings,
 * which are concatenated first. Records that do not start with the version
 * are other TXT records and are ignored; two records with the version mean
 * no record (both RFCs say so).
 */

export type TxtResult<T> =
  | { kind: 'absent' }
  | { kind: 'valid'; record: T }
  | { kind: 'invalid'; why: string };

export interface StsTxt {
  id: string;
}

export interface TlsRptTxt {
  rua: string[];
}

/** Most bytes of one TXT record looked at; longer ones are invalid (a DNS answer caps them anyway). */
const MAX_TXT = 4096;
const WSP = '[ \\t]*';
const STS_VERSION = new RegExp(`^v${WSP}=${WSP}STSv1${WSP}(;|$)`);
const RPT_VERSION = new RegExp(`^v${WSP}=${WSP}TLSRPTv1${WSP}(;|$)`);
/** RFC 8461's sts-ext-name and sts-ext-value (the same shape as TLS-RPT's extensions). */
const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;
const STS_ID = /^[A-Za-z0-9]{1,32}$/;

/** The record's strings joined, or undefined when too long. */
function joined(strings: readonly string[]): string | undefined {
  let n = 0;
  for (const s of strings) n += s.length;
  return n > MAX_TXT ? undefined : strings.join('');
}

/** `k=v` fields after the version; undefined when a field is malformed. */
function fields(text: string): Array<[string, string]> | string {
  const out: Array<[string, string]> = [];
  const parts = text.split(';');
  parts.shift(); // the version
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!.replace(/^[ \t]+|[ \t]+$/g, '');
    if (part === '') {
      if (i === parts.length - 1) break; // a trailing delimiter is allowed
      return 'empty field';
    }
    const eq = part.indexOf('=');
    if (eq < 0) return `field without "=": ${part.slice(0, 40)}`;
    const name = part.slice(0, eq).replace(/[ \t]+$/, '');
    const value = part.slice(eq + 1).replace(/^[ \t]+/, '');
    if (!EXT_NAME.test(name)) return `bad field name: ${name.slice(0, 40)}`;
    if (!EXT_VALUE.test(value)) return `bad value for ${name}`;
    out.push([name, value]);
  }
  return out;
}

function pick<T>(records: ReadonlyArray<readonly string[]>, version: RegExp, parse: (text: string) => T | string): TxtResult<T> {
  const candidates: string[] = [];
  for (const strings of records) {
    const text = joined(strings);
    if (text === undefined) continue;
    if (version.test(text)) candidates.push(text);
  }
  if (candidates.length === 0) return { kind: 'absent' };
  if (candidates.length > 1) return { kind: 'invalid', why: 'several records with the version' };
  const r = parse(candidates[0]!);
  return typeof r === 'string' ? { kind: 'invalid', why: r } : { kind: 'valid', record: r };
}

/** `_mta-sts.<domain>` TXT: `v=STSv1; id=<1-32 alphanumerics>` (other fields ignored). */
export function parseStsTxt(records: ReadonlyArray<readonly string[]>): TxtResult<StsTxt> {
  return pick(records, STS_VERSION, (text) => {
    const f = fields(text);
    if (typeof f === 'string') return f;
    const ids = f.filter(([k]) => k === 'id');
    if (ids.length !== 1) return ids.length ? 'several id fields' : 'no id field';
    const id = ids[0]![1];
    return STS_ID.test(id) ? { id } : 'id is not 1 to 32 letters or digits';
  });
}

const RUA_URI = /^(mailto:[^,!\s]+@[^,!\s]+|https:\/\/[^,!\s]+)$/i;

/** `_smtp._tls.<domain>` TXT: `v=TLSRPTv1; rua=<mailto: or https: URIs, comma-separated>`. */
export function parseTlsRptTxt(records: ReadonlyArray<readonly string[]>): TxtResult<TlsRptTxt> {
  return pick(records, RPT_VERSION, (text) => {
    // rua holds commas and may hold "!" size limits; its value is checked here, not by the generic field rule.
    const parts = text.split(';').slice(1).map((p) => p.trim()).filter((p, i, a) => p !== '' || i !== a.length - 1);
    const rua = parts.filter((p) => /^rua[ \t]*=/.test(p));
    if (rua.length !== 1) return rua.length ? 'several rua fields' : 'no rua field';
    const uris = rua[0]!.replace(/^rua[ \t]*=[ \t]*/, '').split(',').map((u) => u.trim().replace(/!\d+[kmgt]?$/i, ''));
    if (uris.length === 0 || uris.some((u) => !RUA_URI.test(u))) return 'rua is not a list of mailto: or https: URIs';
    return { rua: uris };
  });
}
