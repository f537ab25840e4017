// The fixture library: records the engine really produced (fixture/records.jsonl,
// named in fixture/manifest.json, recorded by fixture-scan.test.ts), and THE
// rule every synthetic record follows: it is a copy of one fixture record in
// which only fields that do not depend on the server's TLS behaviour changed.
// See README.md beside this file.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

const FIXTURE = new URL('./fixture/', import.meta.url);

/**
 * What a synthetic record may change, and nothing else:
 *   ip, port        where the server is (the service, and so the dialog, stays the fixture's)
 *   domain          the name the record was scanned for
 *   startedAt       when
 *   chain           tls.chain: certificates of the same leaf key type (algorithm and size or
 *                   curve), only where the server sent a chain, and never under an OCSP staple
 *                   (the staple names the leaf it was made for)
 *   sasl            SASL lists, for exactly the phases the fixture record has
 *   capabilities    capability lists, for phases the fixture record has
 * Everything else (status, error, mode, banner, STARTTLS, every other TLS field, timings) is the
 * fixture record's, byte for byte.
 */
export const VARIABLE_FIELDS = Object.freeze(['ip', 'port', 'domain', 'startedAt', 'chain', 'sasl', 'capabilities']);

export class RuleError extends Error {}

let library;
/** The named fixture records (deep-frozen: synthetic records share their unchanged parts). */
export function fixtureLibrary() {
  if (library) return library;
  const records = readFileSync(new URL('records.jsonl', FIXTURE), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', FIXTURE), 'utf8'));
  if (manifest.records.length !== records.length) throw new Error(`fixture: ${manifest.records.length} names for ${records.length} records`);
  const byName = new Map();
  const what = new Map();
  manifest.records.forEach((m, i) => {
    // The manifest's n-th entry names the n-th record.
    const r = records[i];
    if (r.ip !== m.ip || r.port !== m.port || r.service !== m.service) throw new Error(`fixture: record ${i} is not ${m.name}`);
    if (byName.has(m.name)) throw new Error(`fixture: two records named ${m.name}`);
    byName.set(m.name, deepFreeze(r));
    what.set(m.name, m.what);
  });
  return (library = { byName, what, names: [...byName.keys()] });
}

/** A fixture record by name. */
export function fixtureRecord(name) {
  const r = fixtureLibrary().byName.get(name);
  if (!r) throw new RuleError(`no fixture record named "${name}" (see test/synthetic/fixture/manifest.json)`);
  return r;
}

/**
 * A synthetic record: `fixture` with `variation` applied. Refuses (RuleError)
 * any field outside VARIABLE_FIELDS and any value the rule does not allow.
 * Unchanged parts are shared with the fixture record, not copied.
 */
export function synthesize(fixture, variation) {
  for (const k of Object.keys(variation)) {
    if (!VARIABLE_FIELDS.includes(k)) throw new RuleError(`a synthetic record may not change "${k}" (only ${VARIABLE_FIELDS.join(', ')})`);
  }
  const v = variation;
  const out = {};
  for (const [k, value] of Object.entries(fixture)) {
    out[k] = value;
    if (k === 'port' && v.domain !== undefined) out.domain = checkDomain(v.domain);
  }
  if (v.ip !== undefined) {
    if (typeof v.ip !== 'string' || isIP(v.ip) === 0) throw new RuleError(`not an IP address: ${v.ip}`);
    out.ip = v.ip;
  }
  if (v.port !== undefined) {
    if (!Number.isInteger(v.port) || v.port < 1 || v.port > 65535) throw new RuleError(`not a port: ${v.port}`);
    out.port = v.port;
  }
  if (v.startedAt !== undefined) {
    if (typeof v.startedAt !== 'string' || Number.isNaN(Date.parse(v.startedAt))) throw new RuleError(`not a time: ${v.startedAt}`);
    out.startedAt = v.startedAt;
  }
  if (v.chain !== undefined) out.tls = { ...fixture.tls, chain: checkChain(fixture, v.chain) };
  if (v.sasl !== undefined) out.sasl = phases(fixture, 'sasl', v.sasl, true);
  if (v.capabilities !== undefined) out.capabilities = phases(fixture, 'capabilities', v.capabilities, false);
  return out;
}

function checkDomain(d) {
  if (typeof d !== 'string' || d.length === 0 || d.length > 253 || /[^A-Za-z0-9.*-]/.test(d)) throw new RuleError(`not a domain: ${d}`);
  return d;
}

const SASL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$/;
// eslint-disable-next-line no-control-regex -- a capability never holds a control character: the pattern names them to reject them
const CAPABILITY = /^[^\u0000-\u001f\u007f]{1,200}$/;

/**
 * SASL or capability lists for phases the fixture's dialog reached: a phase it never
 * reached (after TLS on a server without STARTTLS) cannot be made up. SASL lists are
 * given for exactly the fixture's phases, so none is left from the fixture unsaid.
 */
function phases(fixture, field, given, exact) {
  const have = fixture[field];
  if (!have) throw new RuleError(`${field}: the fixture record has none`);
  if (typeof given !== 'object' || given === null) throw new RuleError(`${field}: not an object of phases`);
  for (const p of Object.keys(given)) if (!(p in have)) throw new RuleError(`${field}.${p}: the fixture record has no such phase (it has ${Object.keys(have).join(', ') || 'none'})`);
  if (exact && Object.keys(have).sort().join() !== Object.keys(given).sort().join()) throw new RuleError(`${field}: give exactly the fixture record's phases (${Object.keys(have).join(', ')})`);
  const pattern = field === 'sasl' ? SASL_NAME : CAPABILITY;
  for (const [p, list] of Object.entries(given)) {
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && pattern.test(x))) throw new RuleError(`${field}.${p}: not a list of ${field === 'sasl' ? 'mechanism names' : 'capabilities'}: ${JSON.stringify(list)}`);
  }
  return { ...have, ...given };
}

const chainTypes = new WeakMap();
/** A replacement chain: where the server sent one, no staple, the same leaf key type. A frozen chain is read once. */
function checkChain(fixture, chain) {
  const sent = fixture.tls?.chain;
  if (!Array.isArray(sent) || sent.length === 0) throw new RuleError('chain: the fixture record carries no chain to replace');
  if (fixture.tls.ocspStapled === true || fixture.tls.ocspResponse !== undefined) throw new RuleError('chain: the fixture record staples an OCSP response for its own leaf');
  if (!Array.isArray(chain) || chain.length === 0) throw new RuleError('chain: not a non-empty list of certificates');
  let got = chainTypes.get(chain);
  if (got === undefined) {
    if (!chain.every((c) => typeof c === 'string' && /^[A-Za-z0-9+/]+=*$/.test(c))) throw new RuleError('chain: not base64 DER certificates');
    got = leafKeyType(chain[0]);
    if (Object.isFrozen(chain)) chainTypes.set(chain, got);
  }
  const want = leafKeyType(sent[0]);
  if (got !== want) throw new RuleError(`chain: the leaf's key is ${got}, the fixture record's ${want}`);
  return chain;
}

// --- the leaf's key type, from its SubjectPublicKeyInfo (a short DER walk) -------------------

const CURVES = { '2a8648ce3d030107': 'P-256', '2b81040022': 'P-384', '2b81040023': 'P-521' };
const ALGORITHMS = { '2a864886f70d010101': 'rsa', '2a8648ce3d0201': 'ec', '2b6570': 'ed25519', '2b6571': 'ed448' };
const leafTypes = new Map();

/** "rsa-2048", "ec-P-256", "ed25519": what a server's key must be for the record's TLS parameters to hold. */
export function leafKeyType(b64) {
  let t = leafTypes.get(b64);
  if (t === undefined) {
    t = keyTypeOfDer(Buffer.from(b64, 'base64'));
    if (leafTypes.size > 4096) leafTypes.clear(); // bounded: a population's own leaves are read once per (frozen) chain
    leafTypes.set(b64, t);
  }
  return t;
}

function tlv(b, off) {
  if (off + 2 > b.length) throw new RuleError('certificate: truncated DER');
  let len = b[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new RuleError('certificate: bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > b.length) throw new RuleError('certificate: truncated DER');
  return { tag: b[off], start, end: start + len };
}

function keyTypeOfDer(der) {
  const cert = tlv(der, 0);
  const tbs = tlv(der, cert.start);
  let t = tlv(der, tbs.start);
  if (t.tag === 0xa0) t = tlv(der, t.end); // version
  for (let i = 0; i < 5; i++) t = tlv(der, t.end); // serial -> signature, issuer, validity, subject, spki
  const spki = t;
  const algId = tlv(der, spki.start);
  const oid = tlv(der, algId.start);
  const alg = ALGORITHMS[der.subarray(oid.start, oid.end).toString('hex')] ?? `oid-${der.subarray(oid.start, oid.end).toString('hex')}`;
  if (alg === 'ec') {
    const curve = tlv(der, oid.end);
    const hex = der.subarray(curve.start, curve.end).toString('hex');
    return `ec-${CURVES[hex] ?? hex}`;
  }
  if (alg === 'rsa') {
    const bits = tlv(der, algId.end); // BIT STRING: 00, then RSAPublicKey
    const rsa = tlv(der, bits.start + 1);
    const n = tlv(der, rsa.start);
    let first = n.start;
    while (first < n.end && der[first] === 0) first++;
    const lead = der[first];
    return `rsa-${(n.end - first - 1) * 8 + (32 - Math.clz32(lead))}`;
  }
  return alg;
}

function deepFreeze(o) {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
