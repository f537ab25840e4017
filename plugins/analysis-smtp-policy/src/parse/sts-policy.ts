/**
 * The MTA-STS policy file (RFC 8461 3.2): `key: value` lines ended by LF or
 * CRLF. version (STSv1), mode (enforce, testing, none) and max_age (up to
 * 31557600 seconds) are required; mx (a host name or `*.` and one) at least
 * once unless the mode is none. Unknown keys are extensions and are ignored
 * when well formed. A single-valued key given twice keeps its first value.
 * Input is already capped (64 KiB) by the fetch; the parse is one linear pass.
 */

export type StsMode = 'enforce' | 'testing' | 'none';

export interface StsPolicy {
  mode: StsMode;
  maxAge: number;
  mx: string[];
}

export type PolicyParse = { ok: true; policy: StsPolicy } | { ok: false; why: string };

const MAX_AGE_LIMIT = 31_557_600;
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
/** sts-policy-vchar and WSP inside a value (RFC 8461's sts-policy-ext-value). */
const VALUE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A host name as RFC 5321's Domain: dot-separated LDH labels, at least two of them. */
export function isDomain(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

export function parseStsPolicy(text: string): PolicyParse {
  const lines = text.split('\n');
  // A final line terminator leaves one empty string; CRLF leaves a \r on each line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: string | undefined;
  const mx: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    const at = `line ${i + 1}`;
    const colon = line.indexOf(':');
    if (colon < 0) return { ok: false, why: `${at}: no "key: value"` };
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
    if (!KEY.test(key)) return { ok: false, why: `${at}: bad key` };
    if (!VALUE.test(value)) return { ok: false, why: `${at}: bad value for ${key}` };
    if (key === 'version') version ??= value;
    else if (key === 'mode') mode ??= value;
    else if (key === 'max_age') maxAge ??= value;
    else if (key === 'mx') {
      const host = value.toLowerCase();
      if (!isDomain(host.startsWith('*.') ? host.slice(2) : host)) return { ok: false, why: `${at}: mx is not a host name or *.<host name>` };
      mx.push(host);
    }
  }
  if (version !== 'STSv1') return { ok: false, why: version === undefined ? 'no version' : 'version is not STSv1' };
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { ok: false, why: mode === undefined ? 'no mode' : 'mode is not enforce, testing or none' };
  if (maxAge === undefined || !/^\d{1,10}$/.test(maxAge)) return { ok: false, why: maxAge === undefined ? 'no max_age' : 'max_age is not 1 to 10 digits' };
  const age = Number(maxAge);
  if (age > MAX_AGE_LIMIT) return { ok: false, why: 'max_age above 31557600' };
  if (mx.length === 0 && mode !== 'none') return { ok: false, why: 'no mx' };
  return { ok: true, policy: { mode, maxAge: age, mx } };
}

/**
 * Whether an MX host name is covered by a policy's mx patterns: equal
 * (ignoring case and a final dot), or `*.rest` with exactly one label in
 * place of the star (RFC 8461 4.1).
 */
export function mxMatches(patterns: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const p of patterns) {
    if (p.startsWith('*.')) {
      const dot = h.indexOf('.');
      if (dot > 0 && h.slice(dot + 1) === p.slice(2)) return true;
    } else if (p === h) return true;
  }
  return false;
}
