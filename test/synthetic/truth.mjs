// The truth of a synthetic data set: reuse follows from the layout (each
// certificate on exactly k fresh IPs, on each of its services); the per-server
// tallies are counted from each record as the generator makes it.
import { SERVICES, SUITES } from './profiles.mjs';

const REUSE_CLASS = { valid: 'valid', 'self-signed': 'self-signed', expired: 'invalid', 'unknown-issuer': 'invalid' };
const PLAINTEXT = new Set(['PLAIN', 'LOGIN']);
const suiteById = new Map(SUITES.map((s) => [s.id, s]));

function inc(o, k, by = 1) {
  o[k] = (o[k] ?? 0) + by;
}

export class TruthCounter {
  constructor(set) {
    this.set = set;
    this.records = 0;
    this.starttls = {};
    this.crypto = {};
    this.sasl = {};
    this.allLeaf = new Set();
    this.allInter = new Set();
  }

  add(r, certIndex) {
    this.records++;
    const g = `${r.service}:${r.port}`;
    const st = (this.starttls[g] ??= { probed: 0, answered: 0, offered: 0, upgraded: 0, negotiated: 0, handshake: 0, leafTotal: 0, leafUnique: new Set(), interTotal: 0, interUnique: new Set() });
    st.probed++;
    if (r.status !== 'connect-failed') st.answered++;
    if (r.starttls?.offered) st.offered++;
    if (r.starttls?.upgraded) st.upgraded++;
    // The generator gives a ServerHello only to the handshakes it makes complete (status success).
    if (r.status === 'success') {
      st.negotiated++;
      st.handshake++;
    }
    if (certIndex >= 0) {
      const chain = this.set.certs[certIndex].chain;
      st.leafTotal++;
      st.leafUnique.add(certIndex);
      this.allLeaf.add(certIndex);
      st.interTotal += chain.length - 1;
      for (const c of chain.slice(1)) {
        st.interUnique.add(c);
        this.allInter.add(c);
      }
    }
    if (r.status === 'success') {
      const cr = (this.crypto[g] ??= { completed: 0, versions: {}, categories: {}, suites: {}, ecdhe: 0, groups: {}, dhe: 0, dheBits: {}, stapled: 0 });
      const suite = suiteById.get(r.tls.cipherSuite.id);
      cr.completed++;
      inc(cr.versions, suite.version);
      inc(cr.categories, suite.cat);
      inc(cr.suites, suite.name);
      if (suite.kx.kind === 'ECDHE' || suite.kx.kind === 'TLS13') {
        cr.ecdhe++;
        inc(cr.groups, suite.kx.group);
      } else if (suite.kx.kind === 'DHE') {
        cr.dhe++;
        inc(cr.dheBits, String(suite.kx.bits));
      }
      if (r.tls.ocspStapled) cr.stapled++;
    }
    if (r.capabilities || r.sasl) {
      // As the study's tables: mechanisms after TLS among servers that reported capabilities after TLS (Tables
      // VIII-XI, never the before-TLS list), and before STARTTLS among all servers that listed capabilities then (XII-XIII).
      const sa = (this.sasl[g] ??= { servers: 0, afterTls: 0, withSasl: 0, mechanisms: {}, combinations: {}, plaintextOnly: 0, plaintextFirst: 0, beforeTls: 0, withSaslBefore: 0, beforeMechanisms: {}, beforeTlsPlaintext: 0, imapCapsBefore: 0, loginDisabled: 0 });
      sa.servers++;
      const before = r.sasl?.beforeTls ?? [];
      const after = r.sasl?.afterTls ?? [];
      if (r.protocol === 'imap' && r.capabilities?.beforeTls) {
        sa.imapCapsBefore++;
        if (r.capabilities.beforeTls.includes('LOGINDISABLED')) sa.loginDisabled++;
      }
      if (r.capabilities?.afterTls || r.sasl?.afterTls) {
        sa.afterTls++;
        if (after.length) {
          sa.withSasl++;
          for (const m of after) inc(sa.mechanisms, m);
          inc(sa.combinations, after.join(' '));
          if (after.every((m) => PLAINTEXT.has(m))) sa.plaintextOnly++;
          if (PLAINTEXT.has(after[0])) sa.plaintextFirst++;
        }
      }
      if (r.capabilities?.beforeTls || r.sasl?.beforeTls) {
        sa.beforeTls++;
        if (before.length) {
          sa.withSaslBefore++;
          for (const m of before) inc(sa.beforeMechanisms, m);
          if (before.some((m) => PLAINTEXT.has(m))) sa.beforeTlsPlaintext++;
        }
      }
    }
  }

  /** Plain data (JSON-safe): what each analysis must report. */
  result() {
    const starttls = {};
    for (const [g, s] of Object.entries(this.starttls)) starttls[g] = { ...s, leafUnique: s.leafUnique.size, interUnique: s.interUnique.size };
    let leafTotal = 0;
    let interTotal = 0;
    for (const s of Object.values(this.starttls)) {
      leafTotal += s.leafTotal;
      interTotal += s.interTotal;
    }
    starttls.all = { leafTotal, leafUnique: this.allLeaf.size, interTotal, interUnique: this.allInter.size };
    return {
      records: this.records,
      servers: this.records, // every record is a distinct ip:port
      starttls,
      crypto: this.crypto,
      sasl: this.sasl,
      reuse: reuseTruth(this.set),
      chainClasses: chainClasses(this.set),
    };
  }
}

/** Reuse truth from the layout alone. Distributions: { service: { ips: count } }, "all" across services. */
function reuseTruth(set) {
  const names = SERVICES.map((s) => s.service);
  const dist = { all: {}, valid: {}, 'self-signed': {} };
  const summary = {};
  const keys = new Map();
  const row = (svc) => (summary[svc] ??= { certificates: 0, valid: 0, selfSigned: 0, invalid: 0, reusedCount: 0 });
  for (const c of set.certs) {
    const cls = REUSE_CLASS[c.cls];
    const svcs = names.filter((_, i) => c.mask & (1 << i)).concat('all');
    let key = keys.get(c.key);
    if (!key) keys.set(c.key, (key = { certificates: 0, ips: {} }));
    key.certificates++;
    for (const svc of svcs) {
      for (const d of ['all', cls]) {
        if (!dist[d]) continue;
        (dist[d][svc] ??= {});
        inc(dist[d][svc], c.k);
      }
      const s = row(svc);
      s.certificates++;
      if (cls === 'valid') s.valid++;
      else if (cls === 'self-signed') s.selfSigned++;
      else s.invalid++;
      if (c.k > 1) s.reusedCount++;
      inc(key.ips, svc, c.k); // IPs never repeat across certificates
    }
  }
  const keyDist = {};
  for (const key of keys.values()) {
    for (const [svc, ips] of Object.entries(key.ips)) {
      (keyDist[svc] ??= {});
      inc(keyDist[svc], ips);
      const s = row(svc);
      s.keys = (s.keys ?? 0) + 1;
      if (ips === 1) s.keysUniqueCount = (s.keysUniqueCount ?? 0) + 1;
      if (key.certificates > 1) s.keysInSeveralCerts = (s.keysInSeveralCerts ?? 0) + 1;
    }
  }
  const topInvalid = set.heavy
    .map((i) => set.certs[i])
    .filter((c) => REUSE_CLASS[c.cls] !== 'valid')
    .sort((a, b) => b.k - a.k)
    .map((c) => ({ ips: c.k, cn: /CN=([^,]+)/.exec(c.subject)?.[1] ?? null, o: /O=([^,]+)/.exec(c.subject)?.[1] ?? null, class: REUSE_CLASS[c.cls] }));
  return { certificates: set.certs.length, keys: keys.size, distributions: dist, keyDistribution: keyDist, summary, topInvalid };
}

/** The class of each distinct chain as the study defines it (for validity analyses): counts per class. */
function chainClasses(set) {
  const out = {};
  for (const c of set.certs) inc(out, c.cls);
  return out;
}
