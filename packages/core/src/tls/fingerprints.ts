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

/** A ClientHello's JA3 (MD5 and its field string) and JA4. */
export interface HelloFingerprints {
  ja3: string;
  ja3Full: string;
  ja4: string;
}

/** A ClientHello shape seen before: every input of JA3 and JA4, and what was made of it. */
interface Shape<T> {
  legacyVersion: number;
  sni: boolean;
  alpn: string[];
  suites: number[];
  extensions: number[];
  groups: number[];
  pointFormats: number[];
  signatureAlgorithms: number[];
  supportedVersions: number[];
  result: T;
}

const mix = (h: number, v: number): number => Math.imul(h ^ v, 0x01000193);

function mixList(h: number, list: readonly number[]): number {
  h = mix(h, list.length);
  for (let i = 0; i < list.length; i++) h = mix(h, list[i]!);
  return h;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameExtensions(ids: readonly number[], ch: ClientHello): boolean {
  const exts = ch.extensions;
  if (ids.length !== exts.length) return false;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== exts[i]!.id) return false;
  return true;
}

function shapeHash(ch: ClientHello): number {
  let h = mix(0x811c9dc5, ch.legacyVersion);
  h = mix(h, ch.serverName !== undefined ? 1 : 0);
  h = mix(h, ch.alpn.length);
  for (const a of ch.alpn) {
    h = mix(h, a.length);
    for (let i = 0; i < a.length; i++) h = mix(h, a.charCodeAt(i));
  }
  h = mixList(h, ch.suites);
  h = mix(h, ch.extensions.length);
  for (let i = 0; i < ch.extensions.length; i++) h = mix(h, ch.extensions[i]!.id);
  h = mixList(h, ch.groups);
  h = mixList(h, ch.pointFormats);
  h = mixList(h, ch.signatureAlgorithms);
  return mixList(h, ch.supportedVersions);
}

function sameShape(s: Shape<unknown>, ch: ClientHello): boolean {
  return s.legacyVersion === ch.legacyVersion && s.sni === (ch.serverName !== undefined) && sameStrings(s.alpn, ch.alpn) &&
    sameList(s.suites, ch.suites) && sameExtensions(s.extensions, ch) && sameList(s.groups, ch.groups) && sameList(s.pointFormats, ch.pointFormats) &&
    sameList(s.signatureAlgorithms, ch.signatureAlgorithms) && sameList(s.supportedVersions, ch.supportedVersions);
}

/** JA3 and JA4 of a ClientHello, computed. */
function fingerprintsOf(ch: ClientHello): HelloFingerprints {
  const j3 = ja3(ch);
  return { ja3: j3.hash, ja3Full: j3.full, ja4: ja4(ch) };
}

/**
 * ClientHello shapes seen before, in buckets by a hash of their inputs (`hashOf`: the default, or one
 * that puts every shape in one bucket, as a test does, so that only the field comparison tells them
 * apart), each with what `compute` made of it (by default its JA3 and JA4; the passive record builder
 * keeps its record parts). `compute` may read only the shape's fields: legacy_version, whether SNI is
 * present, and the ALPN, suite, extension id, group, point format, signature algorithm and supported
 * version lists. Cleared when `max` are held: memory stays bounded.
 */
export class HelloShapes<T = HelloFingerprints> {
  private readonly buckets = new Map<number, Array<Shape<T>>>();
  private count = 0;
  /**
   * Hashes of shapes seen once and not remembered: a shape is remembered when its hash comes a second
   * time, so a client that never repeats one (Chrome permutes its extensions on every connection)
   * costs a hash and no copies, and does not push out the shapes that do repeat.
   */
  private readonly seenOnce = new Set<number>();
  constructor(
    private readonly hashOf: (ch: ClientHello) => number = shapeHash,
    private readonly max = 4096,
    private readonly compute: (ch: ClientHello) => T = fingerprintsOf as unknown as (ch: ClientHello) => T,
  ) {}

  /** Shapes remembered now. */
  get size(): number {
    return this.count;
  }

  /** What `compute` makes of `ch`: remembered for a shape seen before, else computed (and remembered from its second time). */
  get(ch: ClientHello): T {
    const h = this.hashOf(ch);
    const bucket = this.buckets.get(h);
    if (bucket) for (const s of bucket) if (sameShape(s, ch)) return s.result;
    const result = this.compute(ch);
    if (!this.seenOnce.delete(h)) {
      if (this.seenOnce.size >= this.max) this.seenOnce.clear();
      this.seenOnce.add(h);
      return result;
    }
    if (this.count >= this.max) {
      this.buckets.clear();
      this.count = 0;
    }
    // Copies: the hello's own lists go into its record, where a consumer could change them.
    const shape: Shape<T> = {
      legacyVersion: ch.legacyVersion, sni: ch.serverName !== undefined, alpn: [...ch.alpn], suites: [...ch.suites], extensions: ch.extensions.map((e) => e.id),
      groups: [...ch.groups], pointFormats: [...ch.pointFormats], signatureAlgorithms: [...ch.signatureAlgorithms], supportedVersions: [...ch.supportedVersions], result,
    };
    const list = this.buckets.get(h);
    if (list) list.push(shape);
    else this.buckets.set(h, [shape]);
    this.count++;
    return result;
  }
}
