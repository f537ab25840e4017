import { createHash, hash } from 'node:crypto';
import type { Analyzer, PassiveExclusionRule, ProbeRecord, Report, StoreQuery } from '@wildtls/core';
import { CertificateIds, DigestIds, StringSpill, isWildtlsError, storeHasPassive } from '@wildtls/core';
import type { ChainClass, ChainClassifier } from '@wildtls/analysis-ca-practice';
import { leafFields } from './leaf-fields.js';
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

/** A certificate (its id in `certIds`: the index in `certs`). */
interface CertEntry {
  cls: ChainClass;
  /** Its subject DN, CN and O in `names` (an id there), or -1 when the certificate could not be read. */
  names: number;
  pairs: IpPairs;
  key: KeyEntry | undefined;
}

/** A public key (its id in `keyIds`: the index in `keys`). */
interface KeyEntry {
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
  /**
   * Per distinct certificate and key, what the tables need, kept small (issue 18: a JSONL file of
   * 2M records with 1.85M distinct leaves passed Node's heap with Maps keyed by hex strings): the
   * SHA-256 of each certificate's base64 text and DER (CertificateIds), of the SPKI and of each
   * chain classified as 32-byte digests with consecutive ids in typed arrays (DigestIds), the
   * entries in arrays by id, the subject names on disk (StringSpill) until a ranking shows them.
   */
  private readonly certIds = new CertificateIds();
  private readonly certs: CertEntry[] = [];
  private readonly keyIds = new DigestIds();
  private readonly keys: KeyEntry[] = [];
  private readonly names = new StringSpill('reuse-names');
  /** Session-ticket key names (tls.sessionTickets[].keyName) and where they were seen. */
  private readonly ticketKeys = new Map<string, IpPairs>();
  /** Chains already classified (SHA-256 over the chain as sent). */
  private readonly chainsSeen = new DigestIds();
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
  /** An error that ends the analysis (the validator's thread out of memory), thrown at the next consume() or finish(). */
  private fatal: Error | undefined;
  private groupsShared = false;

  constructor(private readonly opts: ReuseAnalyzerOptions) {
    this.passiveReuse = new PassiveReuse(opts.passiveExclusions);
  }

  consume(r: ProbeRecord): void | Promise<void> {
    if (this.fatal) throw this.fatal;
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
    const certId = this.certIds.id(chain[0]!, (id, der) => this.newCertificate(id, der));
    const cert = this.certs[certId]!;
    cert.pairs.add(ip, svc);
    cert.key?.pairs.add(ip, svc);
    if (cert.cls === 'valid') return; // nothing can improve it
    // A chain of one is its certificate (the DER's SHA-256), a longer one the SHA-256 over the chain as sent.
    if (!this.chainsSeen.add(chain.length > 1 ? hash('sha256', chain.join('\n'), 'buffer') : this.certIds.fingerprint(certId))) return;
    return this.classify(cert, chain, r);
  }

  async finish(): Promise<Report> {
    this.opts.classifier.flush?.();
    await Promise.all(this.pending);
    if (this.fatal) throw this.fatal;
    if (this.opts.ownsClassifier) await this.opts.classifier.close?.();
    const serviceOfGroup = this.groups.map((g) => g.service);
    const view = (o: { pairs: IpPairs }) => o.pairs.counts(serviceOfGroup);
    // Views made one at a time as aggregateViews walks them, never all at once; names read back only for the rankings' rows.
    const { certs: certList, certIds, keys: keyList, keyIds, names } = this;
    const certs = (function* (): Generator<CertView> {
      for (let id = 0; id < certList.length; id++) {
        const c = certList[id]!;
        const named = () => (c.names < 0 ? { subject: undefined, cn: undefined, o: undefined } : namesOf(names.get(c.names)));
        yield { ...view(c), fingerprint: certIds.fingerprint(id).toString('hex'), cls: c.cls, subject: undefined, cn: undefined, o: undefined, named };
      }
    })();
    const keys = (function* (): Generator<KeyView> {
      for (let id = 0; id < keyList.length; id++) yield { ...view(keyList[id]!), fingerprint: keyIds.digest(id)!.toString('hex'), certificates: keyList[id]!.certificates };
    })();
    const ticketKeys = [...this.ticketKeys.values()].map((p) => view({ pairs: p }));
    let aggregates;
    try {
      aggregates = aggregateViews({ services: this.services, groups: this.groups, certs, keys, ticketKeys, topReused: this.opts.topReused ?? 10, topInvalid: this.opts.topInvalid });
    } finally {
      this.names.close();
    }
    return reuseReport(this.opts, aggregates, {
      records: this.records, internalErrors: this.internalErrors, passive: this.passive, servers: this.servers.size, withCertificate: this.withCertificate,
      certificates: this.certs.length, keys: this.keys.length, ticketKeys: this.ticketKeys.size, chainsClassified: this.chainsSeen.size,
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

  private newCertificate(id: number, der: Buffer): void {
    const cert: CertEntry = { cls: 'invalid', names: -1, pairs: new IpPairs(), key: undefined };
    this.certs[id] = cert;
    try {
      const fields = leafFields(der);
      const keyId = this.keyIds.id(createHash('sha256').update(fields.spki).digest());
      const key = (this.keys[keyId] ??= { certificates: 0, pairs: new IpPairs() });
      key.certificates++;
      cert.key = key;
      cert.names = this.names.put(namesList(fields.subject, fields.cn, fields.o));
    } catch {
      this.unparsable++;
    }
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
    // A memory error (a validator thread out of heap) ends the analysis; any other error leaves this chain invalid, counted.
    const p: Promise<void> = verdict
      .then(
        (v) => upgrade(cert, v),
        (err: unknown) => {
          if (isWildtlsError(err) && err.code === 'WILDTLS_ERR_MEMORY') this.fatal ??= err;
          else this.classifierErrors++;
        },
      )
      .finally(() => this.pending.delete(p));
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

/** Subject, CN and O as a list for the spill: an absent CN or O is left out, and says which by a leading mark. */
function namesList(subject: string, cn: string | undefined, o: string | undefined): string[] {
  return [subject, cn === undefined ? '' : `=${cn}`, o === undefined ? '' : `=${o}`];
}

function namesOf(list: readonly string[]): { subject: string; cn: string | undefined; o: string | undefined } {
  const opt = (s: string | undefined) => (s ? s.slice(1) : undefined);
  return { subject: list[0]!, cn: opt(list[1]), o: opt(list[2]) };
}

function upgrade(cert: CertEntry, v: ChainClass): void {
  if (RANK[v] > RANK[cert.cls]) cert.cls = v;
}
