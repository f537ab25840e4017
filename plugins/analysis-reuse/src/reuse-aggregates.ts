import type { ChainClass } from '@wildtls/analysis-ca-practice';
import type { CertView, KeyView, Occurrences } from './reuse-tables.js';

/**
 * What reuse's tables are built from: histograms and short rankings, never
 * per-certificate state. The stream path reduces its per-certificate views
 * to these (aggregateViews); the store path counts them in SQL
 * (reuse-store.ts). Both then share the one set of table builders.
 */

/** X (distinct IPs) -> how many items are on exactly X IPs. */
export type Hist = Map<number, number>;

/** The key for "every port pooled" (lines) and "all services" (services). */
export const ALL = -1;

/** exact: one row per distinct X; log2: rows for X = 1, 2, 3-4, 5-8, 9-16, ... */
export type DistributionMode = 'exact' | 'log2';

/** The row an X falls in: [from, to]. */
export function bucketOf(x: number, mode: DistributionMode): [number, number] {
  if (mode === 'exact' || x <= 2) return [x, x];
  const to = 2 ** Math.ceil(Math.log2(x));
  return [to / 2 + 1, to];
}

/** A histogram with its X folded into the distribution's rows (bucket start -> count). */
export function bucketed(hist: Hist, mode: DistributionMode): Hist {
  if (mode === 'exact') return hist;
  const out: Hist = new Map();
  for (const [x, n] of hist) {
    const from = bucketOf(x, mode)[0];
    out.set(from, (out.get(from) ?? 0) + n);
  }
  return out;
}

/** Items on more than one IP, of a histogram (absent: none). */
export function overOne(hist: Hist | undefined): number {
  let n = 0;
  for (const [x, c] of hist ?? []) if (x > 1) n += c;
  return n;
}

/** Every item of a histogram (absent: none). */
export function itemsIn(hist: Hist | undefined): number {
  let n = 0;
  for (const c of hist?.values() ?? []) n += c;
  return n;
}

export interface ItemHists {
  /** Per group index (one service and port), and ALL: distinct IPs over every service and port. */
  byLine: Map<number, Hist>;
  /** Per service index (any port), and ALL. */
  byService: Map<number, Hist>;
}

/** A certificate in a ranking. */
export interface RankedCert {
  /** Distinct IPs in the ranking's scope (one service, or all). */
  ips: number;
  fingerprint: string;
  cls: ChainClass;
  subject: string | undefined;
  cn: string | undefined;
  o: string | undefined;
  /** Names of the services it was seen on, sorted. */
  services: string[];
}

export interface ReuseAggregates {
  services: string[];
  groups: ReadonlyArray<{ service: number; port: number }>;
  certs: ItemHists;
  validCerts: ItemHists;
  selfSignedCerts: ItemHists;
  keys: ItemHists;
  ticketKeys: ItemHists;
  /** Per service index and ALL: keys seen there that sit in more than one certificate. */
  keysInSeveralCerts: Map<number, number>;
  /** Table VI: per service index, the N most reused there (IPs desc, fingerprint asc). */
  mostReused: Map<number, RankedCert[]>;
  /** The N most reused over all services. */
  mostReusedAll: RankedCert[];
  /** The most reused certificates that are not valid (all IPs desc, fingerprint asc). */
  topInvalid: RankedCert[];
}

export function emptyHists(): ItemHists {
  return { byLine: new Map(), byService: new Map() };
}

/** Adds `count` items on exactly `x` IPs under `key`. */
export function addTo(m: Map<number, Hist>, key: number, x: number, count = 1): void {
  let h = m.get(key);
  if (!h) m.set(key, (h = new Map<number, number>()));
  h.set(x, (h.get(x) ?? 0) + count);
}

function addItem(h: ItemHists, o: Occurrences): void {
  for (const [g, x] of o.byGroup) addTo(h.byLine, g, x);
  addTo(h.byLine, ALL, o.all);
  for (const [s, x] of o.byService) addTo(h.byService, s, x);
  addTo(h.byService, ALL, o.all);
}

function histsOf(items: Iterable<Occurrences>): ItemHists {
  const h = emptyHists();
  for (const it of items) addItem(h, it);
  return h;
}

/** The N best by (IPs desc, fingerprint asc), in one pass and O(N) memory per ranking. */
class TopN {
  readonly items: Array<{ ips: number; cert: CertView }> = [];
  /** `before`: the fingerprint order (code points by default). */
  constructor(
    private readonly n: number,
    private readonly before: (a: string, b: string) => boolean = (a, b) => a < b,
  ) {}
  offer(ips: number, cert: CertView): void {
    if (this.n <= 0) return;
    const better = (a: { ips: number; cert: CertView }) => a.ips > ips || (a.ips === ips && this.before(a.cert.fingerprint, cert.fingerprint));
    if (this.items.length === this.n && better(this.items[this.n - 1]!)) return;
    let i = this.items.length;
    while (i > 0 && !better(this.items[i - 1]!)) i--;
    this.items.splice(i, 0, { ips, cert });
    if (this.items.length > this.n) this.items.pop();
  }
}

export interface ViewsInput {
  services: string[];
  groups: ReadonlyArray<{ service: number; port: number }>;
  /** Iterated once: the stream path makes each view as it goes, so that they are never all alive at once. */
  certs: Iterable<CertView>;
  keys: Iterable<KeyView>;
  ticketKeys: Occurrences[];
  topReused: number;
  topInvalid: number;
}

/**
 * The stream path: per-certificate views reduced to the aggregates, in one pass over them (a
 * million certificates' views at once cost some 400 MB at the end of a 10M-record analysis).
 */
export function aggregateViews(input: ViewsInput): ReuseAggregates {
  const { services } = input;
  const ranked = (ips: number, c: CertView): RankedCert => {
    const { subject, cn, o } = c.named?.() ?? c;
    return { ips, fingerprint: c.fingerprint, cls: c.cls, subject, cn, o, services: [...c.byService.keys()].map((s) => services[s]!).sort() };
  };
  const perService = services.map(() => new TopN(input.topReused));
  const overall = new TopN(input.topReused);
  // Not valid, by all IPs desc, then fingerprint in localeCompare's order (as the table always sorted them).
  const invalid = new TopN(input.topInvalid, (a, b) => a.localeCompare(b) < 0);
  const certs = emptyHists();
  const validCerts = emptyHists();
  const selfSignedCerts = emptyHists();
  for (const c of input.certs) {
    for (const [s, ips] of c.byService) perService[s]!.offer(ips, c);
    overall.offer(c.all, c);
    if (c.cls !== 'valid') invalid.offer(c.all, c);
    addItem(certs, c);
    if (c.cls === 'valid') addItem(validCerts, c);
    else if (c.cls === 'self-signed') addItem(selfSignedCerts, c);
  }
  const keysInSeveralCerts = new Map<number, number>();
  const keys = emptyHists();
  for (const k of input.keys) {
    addItem(keys, k);
    if (k.certificates <= 1) continue;
    for (const s of [...k.byService.keys(), ALL]) keysInSeveralCerts.set(s, (keysInSeveralCerts.get(s) ?? 0) + 1);
  }
  return {
    services,
    groups: input.groups,
    certs,
    validCerts,
    selfSignedCerts,
    keys,
    ticketKeys: histsOf(input.ticketKeys),
    keysInSeveralCerts,
    mostReused: new Map(perService.map((t, s) => [s, t.items.map(({ ips, cert }) => ranked(ips, cert))])),
    mostReusedAll: overall.items.map(({ ips, cert }) => ranked(ips, cert)),
    topInvalid: invalid.items.map(({ cert }) => ranked(cert.all, cert)),
  };
}
