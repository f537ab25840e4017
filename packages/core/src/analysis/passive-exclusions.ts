import { Type, type Static } from '@sinclair/typebox';
import { hash } from 'node:crypto';
import { WildtlsError } from '../errors.js';
import type { ProbeRecord } from '../record/record-schema.js';
import type { ReportTable } from './report.js';
import { leafNames, OID_COMMON_NAME, type NameAttributes } from './leaf-names.js';

/**
 * The study's exclusions of passive connections, as declarative rules an
 * analysis applies to passive records (`source: "passive"`) before it counts
 * them, and lists in its report with how many connections each left out.
 * Every condition a rule gives must hold for a connection to be excluded; a
 * rule with no condition is refused.
 */
export const PassiveExclusionRuleSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Name of the rule in the report.' }),
    description: Type.String({ maxLength: 1000, description: 'What the rule leaves out and why, as the report lists it.' }),
    exceptServices: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64, description: 'Services (record.service) the rule never applies to.' })),
    clientAlpnAny: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 256, description: 'Holds when the ClientHello offered any of these ALPN protocol ids.' })),
    leafSubjectCn: Type.Optional(Type.String({ maxLength: 500, description: 'Holds when the end-host certificate\'s subject is one commonName and nothing else, matching this regular expression (give ^ and $ to match it whole).' })),
    leafIssuerCn: Type.Optional(Type.String({ maxLength: 500, description: 'The same for the end-host certificate\'s issuer name.' })),
  },
  { additionalProperties: false },
);
export type PassiveExclusionRule = Static<typeof PassiveExclusionRuleSchema>;

/**
 * Tor relays' link certificates. Tor (src/lib/tls/tortls.c,
 * tor_tls_context_init_certificates) names the link certificate
 * `crypto_random_hostname(8, 20, "www.", ".net")` and its issuer, the relay's
 * identity certificate, `crypto_random_hostname(8, 20, "www.", ".com")`
 * (".net" too before the v3 link protocol): 8 to 20 random base32 characters,
 * a CN and nothing else. Amann and Sommer (PAM 2016) identify Tor traffic in
 * passive TLS data by exactly these auto-generated certificates.
 */
export const TOR_LINK_CERTIFICATE_RULE: PassiveExclusionRule = {
  id: 'tor-link-certificate',
  description: 'Tor relays (their auto-generated link certificates: subject CN www.<8-20 base32 characters>.net issued by www.<8-20>.com or .net, no other name attribute); Tor uses TLS as a transport, not the port\'s protocol',
  leafSubjectCn: '^www\\.[a-z2-7]{8,20}\\.net$',
  leafIssuerCn: '^www\\.[a-z2-7]{8,20}\\.(com|net)$',
};

/** HTTP and push-service ALPN ids (RFC 7301 registry; Apple push's apns-*) the study's exclusions name. */
export const HTTP_PUSH_ALPN: readonly string[] = ['http/1.0', 'http/1.1', 'h2', 'h3', 'spdy/1', 'spdy/2', 'spdy/3', 'spdy/3.1', 'apns-security-v2', 'apns-security-v3', 'apns-pack-v1'];

export const ALPN_HTTP_PUSH_RULE: PassiveExclusionRule = {
  id: 'alpn-http-push',
  description: 'Connections on ports other than https/tls whose ClientHello offered an HTTP or push-service ALPN id (not the port\'s own protocol, e.g. Apple push on 5223)',
  exceptServices: ['https', 'tls'],
  clientAlpnAny: [...HTTP_PUSH_ALPN],
};

/** The study's two exclusions, applied by default. */
export const STUDY_PASSIVE_EXCLUSIONS: readonly PassiveExclusionRule[] = [ALPN_HTTP_PUSH_RULE, TOR_LINK_CERTIFICATE_RULE];

/** Longer names are no DNS name (253 characters at most): they never match, and a user's expression never runs on them. */
const MAX_CN = 255;
/** Leaves whose names are remembered (by the SHA-256 of their base64 text); the cache starts over when full. */
const MAX_CACHED = 10_000;

interface CompiledRule {
  rule: PassiveExclusionRule;
  except: ReadonlySet<string>;
  alpn: ReadonlySet<string> | undefined;
  subject: RegExp | undefined;
  issuer: RegExp | undefined;
  excluded: number;
}

export class PassiveExclusions {
  private readonly compiled: CompiledRule[];
  private readonly names = new Map<string, { issuer: string | undefined; subject: string | undefined }>();

  constructor(rules: readonly PassiveExclusionRule[] = STUDY_PASSIVE_EXCLUSIONS) {
    const ids = new Set<string>();
    this.compiled = rules.map((rule) => {
      if (ids.has(rule.id)) throw new WildtlsError('WILDTLS_ERR_USAGE', `passive exclusion rule ${rule.id} is given twice`);
      ids.add(rule.id);
      if (!rule.clientAlpnAny?.length && rule.leafSubjectCn === undefined && rule.leafIssuerCn === undefined) {
        throw new WildtlsError('WILDTLS_ERR_USAGE', `passive exclusion rule ${rule.id} has no condition (give clientAlpnAny, leafSubjectCn or leafIssuerCn)`);
      }
      return { rule, except: new Set(rule.exceptServices ?? []), alpn: rule.clientAlpnAny?.length ? new Set(rule.clientAlpnAny) : undefined, subject: regex(rule, rule.leafSubjectCn), issuer: regex(rule, rule.leafIssuerCn), excluded: 0 };
    });
  }

  /** The id of the first rule that excludes this passive record (and it is counted), or undefined. */
  exclude(r: ProbeRecord): string | undefined {
    for (const c of this.compiled) {
      if (this.holds(c, r)) {
        c.excluded++;
        return c.rule.id;
      }
    }
    return undefined;
  }

  get excluded(): number {
    return this.compiled.reduce((n, c) => n + c.excluded, 0);
  }

  /** Each rule and how many connections it left out, in the order applied (a connection counts for the first rule that holds). */
  counts(): Array<{ id: string; description: string; excluded: number }> {
    return this.compiled.map((c) => ({ id: c.rule.id, description: c.rule.description, excluded: c.excluded }));
  }

  /** The report table of the rules applied (beyond the study's tables: its method, stated). */
  table(): ReportTable {
    return {
      id: 'passive-exclusions',
      title: 'Exclusion rules applied to passive connections (the study\'s method; beyond its tables)',
      countingRule: 'per-connection',
      columns: [
        { key: 'rule', title: 'Rule', type: 'string' },
        { key: 'description', title: 'What it leaves out', type: 'string' },
        { key: 'excluded', title: 'Connections left out', type: 'integer' },
      ],
      rows: this.counts().map((c) => ({ rule: c.id, description: c.description, excluded: c.excluded })),
    };
  }

  /** One note listing the rules and their counts. */
  note(): string {
    if (this.compiled.length === 0) return 'Passive exclusions: none applied.';
    return `Passive exclusions (table passive-exclusions; a connection counts for the first rule that holds): ${this.counts().map((c) => `${c.id} left out ${c.excluded}`).join('; ')}.`;
  }

  private holds(c: CompiledRule, r: ProbeRecord): boolean {
    if (c.except.has(r.service)) return false;
    if (c.alpn) {
      // A hand-edited or hostile file may hold anything here.
      const offered: unknown = r.passive?.clientHello?.alpn;
      if (!Array.isArray(offered) || !offered.some((a) => typeof a === 'string' && c.alpn!.has(a))) return false;
    }
    if (c.subject || c.issuer) {
      const names = this.leafCns(r);
      if (c.subject && (names?.subject === undefined || !c.subject.test(names.subject))) return false;
      if (c.issuer && (names?.issuer === undefined || !c.issuer.test(names.issuer))) return false;
    }
    return true;
  }

  /** The leaf's subject and issuer CN, each only when the name is that one CN (undefined otherwise, or when unreadable). */
  private leafCns(r: ProbeRecord): { issuer: string | undefined; subject: string | undefined } | undefined {
    const chain: unknown = r.tls?.chain;
    const leaf: unknown = Array.isArray(chain) ? chain[0] : undefined;
    if (typeof leaf !== 'string' || leaf === '') return undefined;
    const key = hash('sha256', leaf, 'base64');
    let names = this.names.get(key);
    if (names) return names;
    try {
      const n = leafNames(Buffer.from(leaf, 'base64'));
      names = { issuer: onlyCn(n.issuer), subject: onlyCn(n.subject) };
    } catch {
      names = { issuer: undefined, subject: undefined }; // unreadable: no name rule holds
    }
    if (this.names.size >= MAX_CACHED) this.names.clear();
    this.names.set(key, names);
    return names;
  }
}

function onlyCn(name: NameAttributes): string | undefined {
  if (name.length !== 1 || name[0]![0] !== OID_COMMON_NAME) return undefined;
  const v = name[0]![1];
  return v !== undefined && v.length <= MAX_CN ? v : undefined;
}

function regex(rule: PassiveExclusionRule, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `passive exclusion rule ${rule.id}: ${(err as Error).message}`);
  }
}

/** The `passiveExclusions` option of an analysis plugin whose passive tables are `tables` (no schema default: the study's rules hold regular expressions, which a default column would print raw). */
export function passiveExclusionsOption(tables: string) {
  return Type.Optional(Type.Array(PassiveExclusionRuleSchema, {
    maxItems: 64,
    description: `Passive records only: rules leaving connections out of ${tables}, each listed in the passive-exclusions table with how many it left out. Each rule: id, description, and conditions that must all hold (exceptServices, clientAlpnAny, leafSubjectCn, leafIssuerCn; see docs/passive.md). Unset: the study's two, alpn-http-push (HTTP and push ALPN on ports other than https/tls, e.g. Apple push on 5223) and tor-link-certificate. [] keeps every connection.`,
  }));
}
