// A population: groups of servers, each server a copy of one fixture record
// (fixture-library.mjs) with only what the rule allows varied, described in
// YAML (format in README.md). The same description serves the truth tests
// (with an `expect:` section written by hand) and the benchmark (scaled).
// Nothing here counts what an analysis counts.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fixtureRecord, leafKeyType, synthesize } from './fixture-library.mjs';
import { CLASSES, certificateAuthorities, issue, leafValidity, mint, newKey, templateOf } from './certificates.mjs';

/** When a population says no `at`: the certificates' reference time. */
export const DEFAULT_AT = '2026-01-15T00:00:00.000Z';

const TOP = new Set(['describe', 'at', 'seed', 'shuffle', 'certificates', 'groups', 'expect']);
const GROUP = new Set(['name', 'like', 'servers', 'ips', 'again', 'port', 'domain', 'cert', 'chain', 'certs', 'sasl', 'capabilities']);
const CERT = new Set(['issuer', 'class', 'expired', 'key', 'subject', 'sendRoot']);
const FRESH = new Set(['class', 'ips', 'key', 'keys']);

export class PopulationError extends Error {}

/** A population from a YAML file (a path or URL), checked for unknown keys. */
export function readPopulation(file) {
  return checkPopulation(parse(readFileSync(file, 'utf8')), String(file));
}

export function checkPopulation(p, where = 'population') {
  const unknown = (o, allowed, at) => {
    for (const k of Object.keys(o ?? {})) if (!allowed.has(k)) throw new PopulationError(`${where}: ${at}: unknown key "${k}"`);
  };
  unknown(p, TOP, 'top level');
  if (!Array.isArray(p.groups) || p.groups.length === 0) throw new PopulationError(`${where}: no groups`);
  for (const [name, c] of Object.entries(p.certificates ?? {})) unknown(c, CERT, `certificate ${name}`);
  p.groups.forEach((g, i) => {
    const at = `group ${g.name ?? i + 1}`;
    unknown(g, GROUP, at);
    if (typeof g.like !== 'string') throw new PopulationError(`${where}: ${at}: "like" names no fixture record`);
    if ((g.servers !== undefined) + (g.ips !== undefined) !== 1 && g.again === undefined) throw new PopulationError(`${where}: ${at}: give servers or ips`);
    if ((g.cert !== undefined) + (g.chain !== undefined) + (g.certs !== undefined) > 1) throw new PopulationError(`${where}: ${at}: give one of cert, chain, certs`);
    if (g.certs) {
      unknown(g.certs, FRESH, `${at}: certs`);
      if (!CLASSES[g.certs.class]) throw new PopulationError(`${where}: ${at}: certs.class must be one of ${Object.keys(CLASSES).join(', ')}`);
      if (!Number.isInteger(g.certs.ips) || g.certs.ips < 1) throw new PopulationError(`${where}: ${at}: certs.ips must be a positive integer`);
    }
  });
  return p;
}

/** "192.0.2.1-5" (a last-octet range), one address, or a list of those. */
export function expandIps(spec) {
  return (Array.isArray(spec) ? spec : [spec]).flatMap((s) => {
    const m = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(String(s));
    if (!m) return [String(s)];
    const out = [];
    for (let i = Number(m[2]); i <= Number(m[3]); i++) out.push(`${m[1]}${i}`);
    return out;
  });
}

/** Data-only addresses, one per auto-placed server, never dialled: 10.0.0.0/8, every 97th one in 2001:db8::/32. */
export function autoAddress(n) {
  if (n % 97 === 96) return `2001:db8::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Everything a population needs before its records can be written: each
 * group's servers and the chain each server sends, the certificates minted.
 * scale multiplies every `servers` count (rounded; to a multiple of
 * certs.ips); explicit `ips` lists and declared certificates do not scale.
 */
export async function buildPopulation(p, { scale = 1 } = {}) {
  const at = new Date(p.at ?? DEFAULT_AT);
  const startedAt = p.at === undefined ? undefined : at.toISOString();
  const ca = await certificateAuthorities(at);
  const groups = p.groups.map((g, i) => ({ spec: g, index: i, label: g.name ?? `group ${i + 1}`, fixture: fixtureRecord(g.like) }));
  const named = new Map();
  let nextHost = 0;
  for (const g of groups) {
    const s = g.spec;
    const leaf = g.fixture.tls?.chain?.[0];
    g.keyType = leaf ? leafKeyType(leaf) : undefined;
    if (s.again !== undefined) {
      const e = named.get(s.again);
      if (!e) throw new PopulationError(`${g.label}: again "${s.again}" names no earlier group`);
      const n = s.servers === undefined ? e.count : Math.min(e.count, Math.round(s.servers * scale));
      if (s.servers !== undefined && scale === 1 && s.servers > e.count) throw new PopulationError(`${g.label}: again "${s.again}" has fewer than ${s.servers} servers`);
      g.hosts = e.hosts;
      g.count = n;
      g.again = e;
    } else if (s.ips !== undefined) {
      g.hosts = { list: expandIps(s.ips) };
      g.count = g.hosts.list.length;
    } else {
      const per = s.certs?.ips ?? 1;
      const n = scale === 1 ? s.servers : Math.round((s.servers * scale) / per) * per;
      if (n % per !== 0) throw new PopulationError(`${g.label}: ${n} servers is not a multiple of certs.ips ${per}`);
      g.hosts = { base: nextHost };
      g.count = n;
      nextHost += n;
    }
    if (s.name !== undefined) named.set(s.name, g);
  }

  // Key types of declared certificates and labels: those of the fixture leaves they replace.
  const declared = p.certificates ?? {};
  const keyTypeOf = new Map();
  const want = (what, type, g) => {
    const had = keyTypeOf.get(what);
    if (had && had !== type) throw new PopulationError(`${what} replaces a ${had} leaf in one group and a ${type} leaf in ${g.label}: one certificate has one key`);
    keyTypeOf.set(what, type);
  };
  for (const g of groups) {
    const s = g.spec;
    const needsChain = s.cert !== undefined || s.chain !== undefined || s.certs !== undefined;
    if (needsChain && !g.keyType) throw new PopulationError(`${g.label}: "${s.like}" sent no certificates to replace`);
    if (s.cert !== undefined && s.cert !== 'same') {
      if (!declared[s.cert]) throw new PopulationError(`${g.label}: certificate "${s.cert}" is not declared`);
      want(`certificate ${s.cert}`, g.keyType, g);
    }
    if (s.chain?.[0] !== undefined && s.chain[0] !== '*') want(declared[s.chain[0]] ? `certificate ${s.chain[0]}` : `label ${s.chain[0]}`, g.keyType, g);
    if (s.certs?.key !== undefined) want(`key ${s.certs.key}`, g.keyType, g);
  }
  for (const [name, c] of Object.entries(declared)) if (c.key !== undefined) want(`key ${c.key}`, keyTypeOf.get(`certificate ${name}`) ?? 'ec-P-256', { label: `certificate ${name}` });

  // Keys: named ones shared, the others one per declared certificate or group; generated together.
  const keyJobs = new Map();
  const key = (id, type) => {
    if (!keyJobs.has(id)) keyJobs.set(id, newKey(type));
    return keyJobs.get(id);
  };
  const keyName = (n) => `key ${n}`;
  const certKeys = Object.fromEntries(Object.entries(declared).map(([name, c]) => {
    const type = keyTypeOf.get(`certificate ${name}`) ?? keyTypeOf.get(keyName(c.key)) ?? 'ec-P-256';
    return [name, key(c.key !== undefined ? keyName(c.key) : `certificate ${name}`, type)];
  }));
  for (const g of groups) {
    const f = g.spec.certs;
    if (!f) continue;
    const n = f.key !== undefined ? 1 : f.keys ?? 1;
    g.keyJobs = Array.from({ length: n }, (_, k) => key(f.key !== undefined ? keyName(f.key) : `${g.label} key ${k + 1}`, g.keyType));
  }
  await Promise.all(keyJobs.values());

  const sent = (what) => (what === 'intermediate' ? ca.intermediate.b64 : what === 'untrusted' ? ca.untrusted.b64 : what === 'root' ? ca.root.b64 : undefined);
  const issuerOf = (what) => (what === 'intermediate' ? ca.intermediate : what === 'untrusted' ? ca.untrusted : undefined);

  // Declared certificates: their chains as sent.
  const chains = new Map();
  for (const [name, c] of Object.entries(declared)) {
    const cls = c.class && CLASSES[c.class];
    const by = c.issuer ?? cls?.issuer;
    if (!by) throw new PopulationError(`certificate ${name}: say issuer (intermediate, untrusted, self) or a class of ${Object.keys(CLASSES).join(', ')}`);
    const leaf = await issue({ subject: c.subject, issuer: issuerOf(by), keys: await certKeys[name], validity: leafValidity(at, c.expired ?? cls?.expired) });
    const chain = [leaf.b64];
    if (by !== 'self') chain.push(sent(by));
    if (c.sendRoot) chain.push(ca.root.b64);
    chains.set(name, Object.freeze(chain));
  }

  // Labels (chain: [...]): a declared certificate's leaf, or a self-signed certificate made for the label; "*" a fresh one per server.
  const labels = new Map();
  const labelTemplates = new Map();
  let freshN = 0;
  const labelCert = async (label, type) => {
    if (declared[label]) return chains.get(label)[0];
    if (label === '*') {
      if (!labelTemplates.has(type)) {
        const keys = await newKey(type);
        labelTemplates.set(type, templateOf(await issue({ subject: 'CN=fresh.paper.test', keys, validity: leafValidity(at) }), keys));
      }
      return mint(labelTemplates.get(type), ++freshN);
    }
    if (!labels.has(label)) labels.set(label, (async () => (await issue({ subject: `CN=${label}.paper.test`, keys: await newKey(type), validity: leafValidity(at) })).b64)());
    return labels.get(label);
  };

  // Each group's chain per server.
  for (const g of groups) {
    const s = g.spec;
    if (s.cert === 'same') {
      if (!g.again) throw new PopulationError(`${g.label}: cert "same" needs again`);
      g.chainOf = g.again.chainOf;
    } else if (s.cert !== undefined) {
      const c = chains.get(s.cert);
      g.chainOf = () => c;
    } else if (s.chain !== undefined) {
      const fixed = !s.chain.includes('*');
      const make = async () => Object.freeze(await Promise.all(s.chain.map((l, i) => labelCert(l, i === 0 ? g.keyType : keyTypeOf.get(declared[l] ? `certificate ${l}` : `label ${l}`) ?? 'ec-P-256'))));
      if (fixed) {
        const c = await make();
        g.chainOf = () => c;
      } else {
        const per = [];
        for (let i = 0; i < g.count; i++) per.push(await make());
        g.chainOf = (i) => per[i];
      }
    } else if (s.certs !== undefined) {
      const cls = CLASSES[s.certs.class];
      const keys = await Promise.all(g.keyJobs);
      const templates = [];
      for (const [k, keys1] of keys.entries()) {
        // One subject per template: the group's name (and the key's number when the group has several keys).
        const cn = `${s.name ?? `group-${g.index + 1}`}${keys.length > 1 ? `-${k + 1}` : ''}.synthetic.test`;
        const cert = await issue({ subject: [{ CN: cn }, { O: `Synthetic ${s.certs.class}` }], issuer: issuerOf(cls.issuer), keys: keys1, validity: leafValidity(at, cls.expired) });
        templates.push(templateOf(cert, cls.issuer === 'self' ? keys1 : issuerOf(cls.issuer).keys));
      }
      const tail = cls.send.map(sent);
      const n = g.count / s.certs.ips;
      const certs = new Array(n);
      for (let c = 0; c < n; c++) certs[c] = Object.freeze([mint(templates[c % templates.length], Math.floor(c / templates.length) + 1), ...tail]);
      const per = s.certs.ips;
      g.chainOf = (i) => certs[Math.floor(i / per)];
      g.minted = n;
    }
  }

  for (const g of groups) {
    // What every server of the group shares, frozen so the writer may reuse its JSON.
    g.shared = {};
    for (const f of ['sasl', 'capabilities']) if (g.spec[f] !== undefined) g.shared[f] = deepFreeze(structuredClone(g.spec[f]));
    if (g.spec.domain !== undefined) g.shared.domain = g.spec.domain;
    if (startedAt !== undefined) g.shared.startedAt = startedAt;
    g.port = g.spec.port ?? g.fixture.port;
    g.addressOf = g.hosts.list ? (i) => g.hosts.list[i] : (i) => autoAddress(g.hosts.base + i);
  }

  const total = groups.reduce((a, g) => a + g.count, 0);
  const order = layout(groups, total, p.shuffle ? rng(p.seed ?? 1) : undefined);
  const record = (gi, i) => {
    const g = groups[gi];
    const chain = g.chainOf?.(i);
    return synthesize(g.fixture, { ip: g.addressOf(i), port: g.port, ...g.shared, ...(chain ? { chain } : {}) });
  };
  return {
    at,
    rootPem: ca.root.pem,
    size: total,
    /** The records in population order (or the seeded shuffle), made one by one. */
    *records() {
      for (let k = 0; k < total; k++) yield record(order.group[k], order.index[k]);
    },
    /** What was made (for the benchmark's report; not a truth): records, distinct leaves and leaf keys of the population's own certificates. */
    made: { records: total, minted: groups.reduce((a, g) => a + (g.minted ?? 0), 0), declared: chains.size, keys: keyJobs.size + labelTemplates.size },
  };
}

/** (group, server) of every record, in group order, or shuffled. */
function layout(groups, total, random) {
  const group = new Uint16Array(total);
  const index = new Int32Array(total);
  let k = 0;
  for (const [gi, g] of groups.entries()) {
    for (let i = 0; i < g.count; i++, k++) {
      group[k] = gi;
      index[k] = i;
    }
  }
  if (random) {
    for (let i = total - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [group[i], group[j]] = [group[j], group[i]];
      [index[i], index[j]] = [index[j], index[i]];
    }
  }
  return { group, index };
}

function deepFreeze(o) {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
