// Synthetic wildtls results with a known truth. See README.md beside this file.
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';
import { EXPIRED_AFTER, makeCertificate, mint, templateOf } from './pki.mjs';
import { COMBOS, FAILURES, HEAVY, REUSE, SERVICES, SUITES, pick, rng } from './profiles.mjs';
import { TruthCounter } from './truth.mjs';

export const SCAN_TIME = '2025-06-01T00:00:00.000Z';
const CLASSES = ['valid', 'self-signed', 'expired', 'unknown-issuer'];
/** Share of regular certificates per class, in CLASSES order. */
const CLASS_WEIGHTS = [{ w: 50, c: 0 }, { w: 25, c: 1 }, { w: 15, c: 2 }, { w: 10, c: 3 }];

/**
 * Build a synthetic data set in memory (certificates and the record layout),
 * ready to be written. Options:
 *   chains          distinct regular leaf certificates (each with its own chain)
 *   uniqueKeyCerts  extra self-signed certificates, each with its own key, on one IP
 *   keysPerClass    leaf keys shared by the regular certificates of each class
 *   intermediates   issuing intermediates under the trusted root
 *   fillTo          add servers without a certificate until there are this many records
 *   failures        servers without a certificate at least (default 10% of the records)
 *   seed
 */
export async function buildSynthetic(options = {}) {
  const o = { chains: 1000, uniqueKeyCerts: 20, keysPerClass: 8, intermediates: 3, fillTo: 0, failures: undefined, seed: 1, ...options };
  const random = rng(o.seed);
  const root = await makeCertificate({ subject: 'CN=Synthetic Root CA, O=wildtls synthetic', ca: true });
  const untrustedRoot = await makeCertificate({ subject: 'CN=Untrusted Root CA, O=Nowhere', ca: true });
  const inters = [];
  for (let i = 0; i < o.intermediates; i++) {
    inters.push(await makeCertificate({ subject: `CN=Synthetic Intermediate ${i}, O=wildtls synthetic`, ca: true, issuer: root }));
  }
  const b64 = (der) => der.toString('base64');
  const rootB64 = b64(root.der);
  const interB64 = inters.map((c) => b64(c.der));
  const untrustedB64 = b64(untrustedRoot.der);

  // Leaf templates: one key each, keysPerClass per class.
  const templates = [[], [], [], []];
  for (let c = 0; c < 4; c++) {
    for (let t = 0; t < o.keysPerClass; t++) {
      const subject = `CN=${CLASSES[c]}-${t}.synthetic.example, O=Synthetic ${CLASSES[c]}`;
      const inter = t % inters.length;
      const cert =
        c === 0 ? await makeCertificate({ subject, ca: false, issuer: inters[inter] })
        : c === 1 ? await makeCertificate({ subject, ca: false })
        : c === 2 ? await makeCertificate({ subject, ca: false, issuer: inters[inter], notAfter: EXPIRED_AFTER })
        : await makeCertificate({ subject, ca: false, issuer: untrustedRoot });
      templates[c].push({ tpl: templateOf(cert), inter });
    }
  }

  // Every certificate: its chain (base64), class, key id, k (distinct IPs) and services (bit mask).
  const certs = [];
  let keyIds = 4 * o.keysPerClass;
  const chainFor = (c, inter, leaf, withRoot) =>
    c === 1 ? [leaf] : c === 3 ? [leaf, untrustedB64] : withRoot ? [leaf, interB64[inter], rootB64] : [leaf, interB64[inter]];
  const serviceMask = () => {
    const n = 1 + (random() < 0.4 ? 1 : 0) + (random() < 0.25 ? 1 : 0);
    let m = 0;
    while (popcount(m) < n) m |= 1 << Math.floor(random() * SERVICES.length);
    return m;
  };
  for (let i = 0; i < o.chains; i++) {
    const c = pick(random, CLASS_WEIGHTS).c;
    const t = i % o.keysPerClass;
    const { tpl, inter } = templates[c][t];
    const leaf = b64(mint(tpl, i + 1));
    certs.push({ chain: chainFor(c, inter, leaf, c !== 1 && random() < 0.1), cls: CLASSES[c], key: c * o.keysPerClass + t, k: pick(random, REUSE).k, mask: serviceMask() });
  }
  for (let i = 0; i < o.uniqueKeyCerts; i++) {
    const cert = await makeCertificate({ subject: `CN=unique-${i}.synthetic.example`, ca: false, serial: i + 1 });
    certs.push({ chain: [b64(cert.der)], cls: 'self-signed', key: keyIds++, k: 1, mask: 1 << Math.floor(random() * SERVICES.length) });
  }
  const heavy = [];
  for (const h of HEAVY) {
    const cert =
      h.cls === 'self-signed' ? await makeCertificate({ subject: h.subject, ca: false })
      : h.cls === 'expired' ? await makeCertificate({ subject: h.subject, ca: false, issuer: inters[0], notAfter: EXPIRED_AFTER })
      : await makeCertificate({ subject: h.subject, ca: false, issuer: untrustedRoot });
    const chain = h.cls === 'self-signed' ? [b64(cert.der)] : h.cls === 'expired' ? [b64(cert.der), interB64[0]] : [b64(cert.der), untrustedB64];
    const mask = h.services.reduce((m, s) => m | (1 << SERVICES.findIndex((x) => x.service === s)), 0);
    heavy.push(certs.length);
    certs.push({ chain, cls: h.cls, key: keyIds++, k: h.k, mask, subject: h.subject });
  }

  // The layout: one slot per (certificate, host, service), then servers without a certificate, shuffled.
  let slots = 0;
  for (const c of certs) slots += c.k * popcount(c.mask);
  const failures = Math.max(o.failures ?? Math.ceil(slots / 9), o.fillTo - slots);
  const total = slots + failures;
  const certOf = new Int32Array(total);
  const hostOf = new Int32Array(total);
  const svcOf = new Uint8Array(total);
  let n = 0;
  let host = 0;
  for (let ci = 0; ci < certs.length; ci++) {
    const c = certs[ci];
    for (let h = 0; h < c.k; h++, host++) {
      for (let s = 0; s < SERVICES.length; s++) {
        if (!(c.mask & (1 << s))) continue;
        certOf[n] = ci;
        hostOf[n] = host;
        svcOf[n++] = s;
      }
    }
  }
  for (; n < total; n++, host++) {
    certOf[n] = -1;
    hostOf[n] = host;
    svcOf[n] = Math.floor(random() * SERVICES.length);
  }
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [certOf[i], certOf[j]] = [certOf[j], certOf[i]];
    [hostOf[i], hostOf[j]] = [hostOf[j], hostOf[i]];
    [svcOf[i], svcOf[j]] = [svcOf[j], svcOf[i]];
  }
  return { options: o, certs, heavy, rootPem: root.pem, total, certOf, hostOf, svcOf, seed: o.seed };
}

function popcount(m) {
  let n = 0;
  for (; m; m &= m - 1) n++;
  return n;
}

/** Addresses from documentation/private ranges; never contacted, only written. */
function ipOf(host) {
  if (host % 97 === 96) return `2001:db8::${host.toString(16)}`;
  return `10.${(host >>> 16) & 255}.${(host >>> 8) & 255}.${host & 255}`;
}

/**
 * Records in layout order, with the truth counted as they are made. Each
 * record's details (suite, SASL, failure kind) come from a PRNG seeded from
 * the data set's seed, so the same data set always yields the same records.
 */
export function* syntheticRecords(set, truth = new TruthCounter(set)) {
  const random = rng(set.seed * 7919 + 17);
  for (let i = 0; i < set.total; i++) {
    const svc = SERVICES[set.svcOf[i]];
    const ci = set.certOf[i];
    const base = { ip: ipOf(set.hostOf[i]), port: svc.port, service: svc.service, protocol: svc.protocol, mode: svc.mode, startedAt: SCAN_TIME, durationMs: 12 };
    const r = ci >= 0 ? success(base, svc, set.certs[ci], random) : failure(base, svc, random);
    truth.add(r, ci);
    yield r;
  }
}

function saslLists(svc, random) {
  const after = pick(random, COMBOS).m;
  const before = svc.mode === 'starttls' && random() < 0.3 ? pick(random, COMBOS).m : [];
  return { after, before };
}

function capabilityLists(svc, random, startTls) {
  if (svc.protocol === 'imap') {
    const disabled = random() < 0.6;
    return ['IMAP4REV1', 'IDLE', ...(startTls ? ['STARTTLS'] : []), ...(disabled ? ['LOGINDISABLED'] : [])];
  }
  if (svc.protocol === 'smtp') return ['PIPELINING', '8BITMIME', ...(startTls ? ['STARTTLS'] : [])];
  if (svc.protocol === 'pop3') return ['USER', 'UIDL', ...(startTls ? ['STLS'] : [])];
  return startTls ? ['STARTTLS'] : [];
}

function success(base, svc, cert, random) {
  const suite = pick(random, SUITES);
  const { after, before } = saslLists(svc, random);
  const r = { ...base, status: 'success' };
  if (svc.mode === 'starttls') {
    r.banner = `220 ${base.ip} ready`;
    r.starttls = { offered: true, upgraded: true, reply: '220 go ahead' };
    r.capabilities = { beforeTls: capabilityLists(svc, random, true), afterTls: capabilityLists(svc, random, false) };
  } else {
    r.capabilities = { afterTls: capabilityLists(svc, random, false) };
  }
  if (after.length || before.length) r.sasl = { ...(before.length ? { beforeTls: before } : {}), ...(after.length ? { afterTls: after } : {}) };
  r.tls = {
    version: suite.version,
    cipherSuite: { id: suite.id, name: suite.name },
    keyExchange: { ...suite.kx },
    chain: cert.chain,
    ocspStapled: random() < 0.25,
    completed: true,
  };
  return r;
}

function failure(base, svc, random) {
  let kind = pick(random, FAILURES).kind;
  if (svc.mode === 'implicit' && (kind === 'no-starttls' || kind === 'starttls-refused' || kind === 'timeout-after-banner')) kind = 'tls-failed';
  switch (kind) {
    case 'connect-failed':
      return { ...base, status: 'connect-failed', error: { reason: 'connect-refused', message: 'ECONNREFUSED' } };
    case 'timeout-after-banner':
      return { ...base, status: 'timeout', banner: `220 ${base.ip} slow`, error: { reason: 'read-timeout', message: 'no reply to EHLO' } };
    case 'no-starttls': {
      const { before } = saslLists(svc, random);
      const r = { ...base, status: 'no-starttls', banner: `220 ${base.ip}`, starttls: { offered: false, upgraded: false }, capabilities: { beforeTls: capabilityLists(svc, random, false) } };
      if (before.length) r.sasl = { beforeTls: before };
      return r;
    }
    case 'starttls-refused':
      return { ...base, status: 'starttls-refused', banner: `220 ${base.ip}`, starttls: { offered: true, upgraded: false, reply: '454 TLS not available' }, capabilities: { beforeTls: capabilityLists(svc, random, true) } };
    default: {
      const r = { ...base, status: 'tls-failed', error: { reason: 'tls-alert', message: 'handshake_failure' }, tls: { chain: [], ocspStapled: false, completed: false, error: { kind: 'alert', message: 'handshake_failure' } } };
      if (svc.mode === 'starttls') {
        r.banner = `220 ${base.ip}`;
        r.starttls = { offered: true, upgraded: true, reply: '220 go ahead' };
      }
      return r;
    }
  }
}

/** Write the records as JSONL (gzip when the name ends in .gz), streamed; resolves to the truth. */
export async function writeSynthetic(set, file) {
  const out = createWriteStream(file);
  const gz = file.endsWith('.gz') ? createGzip({ level: 1 }) : undefined;
  if (gz) gz.pipe(out);
  const sink = gz ?? out;
  const truth = new TruthCounter(set);
  let buf = [];
  let size = 0;
  for (const r of syntheticRecords(set, truth)) {
    const line = JSON.stringify(r);
    buf.push(line);
    size += line.length;
    if (size > 1 << 20) {
      if (!sink.write(buf.join('\n') + '\n')) await once(sink, 'drain');
      buf = [];
      size = 0;
    }
  }
  if (buf.length) sink.write(buf.join('\n') + '\n');
  sink.end();
  await once(out, 'close');
  return truth.result();
}
