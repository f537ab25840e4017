import { createHash, hash } from 'node:crypto';
import type { Analyzer, PassiveExclusionRule, ProbeRecord, Report, StoreQuery } from '@wildtls/core';
import { storeHasPassive } from '@wildtls/core';
import type { ChainClass, ChainClassifier } from '@wildtls/analysis-ca-practice';
import { leafFields } from './leaf-fields.js';
import { CertificateFingerprints as Fingerprints } from '@wildtls/core';
import { IpIds, IpPairs, MAX_GROUPS } from './ip-pairs.js';
import type { CertView, DistributionMode, KeyView } from './reuse-tables.js';
import { aggregateViews } from './reuse-aggregates.js';
import { reuseReport } from './reuse-report.js';
import { reuseFromStore } from './reuse-store.js';
import { ServerTally, serverKey } from '@wildtls/core';
import { PassiveReuse, PASSIVE_REUSE_NOTE } from './passive-reuse.js';

export interface ReuseAnalyzerOptions {
  version: string;
  classifier: ChainClassifier;
  /** Which classifier: named in the report's notes. */
  classifierName: string;
  /** Evaluate validity at this time instead of each record's scan time. */
  at?: Date;
  /** Rows of the most reused certificates that are not valid (beyond the study). */
  topInvalid: number;
  /** Rows per protocol, and overall, of the most reused certificates (Table VI). */
  topReused?: number;
  /** Close the classifier at finish() (one this analyzer made, not a shared one). */
  ownsClassifier?: boolean;
  /** Rows of the distributions: one per distinct X, or log2 buckets. */
  distribution?: DistributionMode;
  /** Classifications in flight before consume() waits for them (async classifiers). */
  maxPending?: number;
  /** Rules leaving passive connections out of Table V (default: the study's, STUDY_PASSIVE_EXCLUSIONS). */
  passiveExclusions?: readonly PassiveExclusionRule[];
}

/** Better classes win when one certificate is seen with several chains. */
const RANK: Record<ChainClass, number> = { invalid: 0, 'self-signed': 1, valid: 2 };

interface CertEntry {
  fingerprint: string;
  cls: ChainClass;
  subject: string | undefined;
  cn: string | undefined;
  o: string | undefined;
  pairs: IpPairs;
  key: KeyEntry | undefined;
}

interface KeyEntry {
  fingerprint: string;
  certificates: number;
  pairs: IpPairs;
}

/**
 * Certificate and key reuse (Fig. 6 and 7, Table VI): the end-host
 * certificate (first one sent) of each record, keyed by the SHA-256 of its
 * DER, and its public key, keyed by the SHA-256 of its SPKI, each with the
 * distinct IPs it was seen on, per service and port.
 */
export class ReuseAnalyzer implements Analyzer {
  private readonly certs = new Map<string, CertEntry>();
  private readonly keys = new Map<string, KeyEntry>();
  /** Session-ticket key names (tls.sessionTickets[].keyName) and where they were seen. */
  private readonly ticketKeys = new Map<string, IpPairs>();
  /** Chains already classified (SHA-256 over the chain as sent). */
  private readonly chainsSeen = new Set<string>();
  private readonly fingerprints = new Fingerprints();
  private readonly ipIds = new IpIds();
  private readonly services: string[] = [];
  private readonly serviceIndex = new Map<string, number>();
  /** Groups: one service (index) and port each. */
  private readonly groups: Array<{ service: number; port: number }> = [];
  private readonly groupIndex = new Map<string, number>();
  private readonly servers = new ServerTally();
  private readonly pending = new Set<Promise<void>>();
  private records = 0;
  private internalErrors = 0;
  private withCertificate = 0;
  private unparsable = 0;
  private passive = 0;
  /** Table V of passive records (passive-reuse.ts), after the exclusion rules. */
  private readonly passiveReuse: PassiveReuse;
  private classifierErrors = 0;
  private groupsShared = false;

  constructor(private readonly opts: ReuseAnalyzerOptions) {
    this.passiveReuse = new PassiveReuse(opts.passiveExclusions);
  }

  consume(r: ProbeRecord): void | Promise<void> {
    this.records++;
    // Our own bug, not a measurement: left out of every count (reported in totals).
    if (r.status === 'internal-error') {
      this.internalErrors++;
      return;
    }
    // Passive records (one per captured connection) are another population: only the passive Table V counts them.
    if (r.source === 'passive') {
      this.passive++;
      this.passiveReuse.add(r);
      return;
    }
    this.servers.add(serverKey(r.ip, r.port));
    const chain = certificatesOf(r);
    const ticketKeys = ticketKeyNamesOf(r);
    if (!chain.length && !ticketKeys.length) return;
    const svc = this.group(r.service, r.port);
    const ip = this.ipIds.id(r.ip);
    for (const name of ticketKeys) {
      let pairs = this.ticketKeys.get(name);
      if (!pairs) this.ticketKeys.set(name, (pairs = new IpPairs()));
      pairs.add(ip, svc);
    }
    if (!chain.length) return;
    this.withCertificate++;
    const { fp, der } = this.fingerprints.lookup(chain[0]!);
    let cert = this.certs.get(fp);
    if (!cert) cert = this.newCertificate(fp, der ?? Buffer.from(chain[0]!, 'base64'));
    cert.pairs.add(ip, svc);
    cert.key?.pairs.add(ip, svc);
    if (cert.cls === 'valid') return; // nothing can improve it
    const chainId = chain.length > 1 ? hash('sha256', chain.join('\n'), 'base64') : fp;
    if (this.chainsSeen.has(chainId)) return;
    this.chainsSeen.add(chainId);
    return this.classify(cert, chain, r);
  }

  async finish(): Promise<Report> {
    this.opts.classifier.flush?.();
    await Promise.all(this.pending);
    if (this.opts.ownsClassifier) await this.opts.classifier.close?.();
    const serviceOfGroup = this.groups.map((g) => g.service);
    const view = (o: { pairs: IpPairs }) => o.pairs.counts(serviceOfGroup);
    // Views made one at a time as aggregateViews walks them, never all at once.
    const entries = this.certs.values();
    const keyEntries = this.keys.values();
    const certs = (function* (): Generator<CertView> {
      for (const c of entries) yield { ...view(c), fingerprint: c.fingerprint, cls: c.cls, subject: c.subject, cn: c.cn, o: c.o };
    })();
    const keys = (function* (): Generator<KeyView> {
      for (const k of keyEntries) yield { ...view(k), fingerprint: k.fingerprint, certificates: k.certificates };
    })();
    const ticketKeys = [...this.ticketKeys.values()].map((p) => view({ pairs: p }));
    const aggregates = aggregateViews({ services: this.services, groups: this.groups, certs, keys, ticketKeys, topReused: this.opts.topReused ?? 10, topInvalid: this.opts.topInvalid });
    return reuseReport(this.opts, aggregates, {
      records: this.records, internalErrors: this.internalErrors, passive: this.passive, servers: this.servers.size, withCertificate: this.withCertificate,
      certificates: this.certs.size, keys: this.keys.size, ticketKeys: this.ticketKeys.size, chainsClassified: this.chainsSeen.size,
      unparsable: this.unparsable, classifierErrors: this.classifierErrors, groupsShared: this.groupsShared,
    }, { tables: this.passiveReuse.tables(), notes: [PASSIVE_REUSE_NOTE, this.passiveReuse.exclusions.note()] });
  }

  /**
   * A whole store, counted in SQL (reuse-store.ts); the records streamed through
   * consume() in the cases SQL does not cover, among them a store with passive
   * records (Table V and the exclusion rules are the stream's own).
   */
  async analyzeStore(store: StoreQuery): Promise<Report> {
    const report = (await storeHasPassive(store)) ? undefined : await reuseFromStore(store, this.opts);
    if (report) return report;
    for await (const r of store.records()) await this.consume(r);
    return this.finish();
  }

  private newCertificate(fp: string, der: Buffer): CertEntry {
    const cert: CertEntry = { fingerprint: fp, cls: 'invalid', subject: undefined, cn: undefined, o: undefined, pairs: new IpPairs(), key: undefined };
    this.certs.set(fp, cert);
    try {
      const fields = leafFields(der);
      cert.subject = fields.subject;
      cert.cn = fields.cn;
      cert.o = fields.o;
      const kfp = createHash('sha256').update(fields.spki).digest('hex');
      let key = this.keys.get(kfp);
      if (!key) this.keys.set(kfp, (key = { fingerprint: kfp, certificates: 0, pairs: new IpPairs() }));
      key.certificates++;
      cert.key = key;
    } catch {
      this.unparsable++;
    }
    return cert;
  }

  private classify(cert: CertEntry, chain: string[], r: ProbeRecord): void | Promise<void> {
    // As ca-practice does: a record without a readable time is judged now (an Invalid Date would make every time check vacuous).
    const started = Date.parse(r.startedAt);
    const at = this.opts.at ?? new Date(Number.isNaN(started) ? Date.now() : started);
    const ders = chain.map((c) => Buffer.from(c, 'base64'));
    let verdict: ChainClass | Promise<ChainClass>;
    try {
      verdict = this.opts.classifier.classify(ders, at);
    } catch {
      this.classifierErrors++;
      return; // stays invalid
    }
    if (!(verdict instanceof Promise)) {
      upgrade(cert, verdict);
      return;
    }
    // An async classifier (a worker, say) runs alongside: keep going, and wait at finish().
    const p: Promise<void> = verdict.then((v) => upgrade(cert, v), () => void this.classifierErrors++).finally(() => this.pending.delete(p));
    this.pending.add(p);
    if (this.pending.size >= (this.opts.maxPending ?? 4096)) {
      this.opts.classifier.flush?.();
      return Promise.race(this.pending);
    }
  }

  /** The group index of a service and port. */
  private group(name: string, port: number): number {
    const k = `${name}\t${port}`;
    let g = this.groupIndex.get(k);
    if (g !== undefined) return g;
    let s = this.serviceIndex.get(name);
    if (s === undefined) this.serviceIndex.set(name, (s = this.services.push(name) - 1));
    // Beyond MAX_GROUPS service-port pairs (a port is 16 bits, services a handful: never in practice) the last is shared.
    g = Math.min(this.groups.length, MAX_GROUPS - 1);
    if (g === this.groups.length) this.groups.push({ service: s, port });
    else this.groupsShared = true;
    this.groupIndex.set(k, g);
    return g;
  }
}

/** The chain's base64 strings; anything else in a (hand-edited or hostile) file is left out. */
function certificatesOf(r: ProbeRecord): string[] {
  const chain: unknown = r.tls?.chain;
  if (!Array.isArray(chain)) return [];
  return chain.every((c) => typeof c === 'string') ? (chain as string[]) : chain.filter((c): c is string => typeof c === 'string');
}

/** The distinct session-ticket key names of a record (32 hex digits each); anything malformed is left out. */
function ticketKeyNamesOf(r: ProbeRecord): string[] {
  const tickets: unknown = r.tls?.sessionTickets;
  if (!Array.isArray(tickets)) return [];
  const names = new Set<string>();
  for (const t of tickets) {
    const name: unknown = (t as { keyName?: unknown } | null)?.keyName;
    if (typeof name === 'string' && /^[0-9a-f]{32}$/.test(name)) names.add(name);
  }
  return [...names];
}

function upgrade(cert: CertEntry, v: ChainClass): void {
  if (RANK[v] > RANK[cert.cls]) cert.cls = v;
}
