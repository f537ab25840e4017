import { hash } from 'node:crypto';
import type { ClientHello } from './client-hello-parse.js';

/** GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa; fingerprints leave them out. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

const noGrease = (list: number[]) => list.filter((v) => !isGrease(v));

/**
 * Results of recent inputs. A capture's clients send a few ClientHello shapes over and over, so a
 * passive run hashes and sorts the same lists per connection; remembered here instead (an input
 * string maps to one result, so nothing changes but the cost). Cleared when full: memory stays bounded.
 */
class Memo {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 4096) {}
  get(key: string, compute: () => string): string {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = compute();
      this.map.set(key, v);
    }
    return v;
  }
}
const md5s = new Memo();
const ja4s = new Memo();

/** JA3 (Salesforce): the decimal field string and its MD5. */
export function ja3(ch: ClientHello): { full: string; hash: string } {
  const full = [
    ch.legacyVersion,
    noGrease(ch.suites).join('-'),
    noGrease(ch.extensions.map((e) => e.id)).join('-'),
    noGrease(ch.groups).join('-'),
    ch.pointFormats.join('-'),
  ].join(',');
  return { full, hash: md5s.get(full, () => hash('md5', full, 'hex')) };
}

const JA4_VERSIONS: Record<number, string> = { 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2' };

const hex4 = (v: number) => v.toString(16).padStart(4, '0');
const sha12 = (s: string) => (s === '' ? '000000000000' : hash('sha256', s, 'hex').slice(0, 12));
const isAlnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** JA4's two ALPN characters: first and last of the first value; its hex's first and last when either is not alphanumeric. */
function alpnChars(alpn: string | undefined): string {
  if (!alpn) return '00';
  const first = alpn.charCodeAt(0);
  const last = alpn.charCodeAt(alpn.length - 1);
  if (isAlnum(first) && isAlnum(last)) return alpn[0]! + alpn[alpn.length - 1]!;
  const hex = Buffer.from(alpn, 'latin1').toString('hex');
  return hex[0]! + hex[hex.length - 1]!;
}

/**
 * JA4 (FoxIO, TCP): `t` + version + SNI flag + suite count + extension count + ALPN,
 * then the truncated SHA-256 of the sorted suites, then that of the sorted
 * extensions (without SNI and ALPN) and the signature algorithms in order.
 */
export function ja4(ch: ClientHello): string {
  const versions = noGrease(ch.supportedVersions);
  const suites = noGrease(ch.suites);
  // JA4 sorts the extensions, so a client that permutes them (Chrome) keeps one fingerprint: the key does too.
  const exts = noGrease(ch.extensions.map((e) => e.id)).sort((x, y) => x - y);
  const sigs = noGrease(ch.signatureAlgorithms);
  // Every input of the fingerprint, the ALPN value last (it may hold any character; the lists only digits and commas).
  const key = `${ch.serverName !== undefined ? 'd' : 'i'}${ch.legacyVersion}|${versions.join(',')}|${suites.join(',')}|${exts.join(',')}|${sigs.join(',')}|${ch.alpn.length > 0 ? '1' + ch.alpn[0] : '0'}`;
  return ja4s.get(key, () => computeJa4(ch, versions, suites, exts, sigs));
}

function computeJa4(ch: ClientHello, versions: number[], suites: number[], exts: number[], sigList: number[]): string {
  const top = versions.length > 0 ? Math.max(...versions) : ch.legacyVersion;
  const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
  const a = `t${JA4_VERSIONS[top] ?? '00'}${ch.serverName !== undefined ? 'd' : 'i'}${two(suites.length)}${two(exts.length)}${alpnChars(ch.alpn[0])}`;
  const b = sha12(suites.map(hex4).sort().join(','));
  const sortedExts = exts.filter((e) => e !== 0 && e !== 16).map(hex4).sort().join(',');
  const sigs = sigList.map(hex4).join(',');
  const c = sortedExts === '' ? '000000000000' : sha12(sigs ? `${sortedExts}_${sigs}` : sortedExts);
  return `${a}_${b}_${c}`;
}
