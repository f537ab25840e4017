import { readFileSync } from 'node:fs';
import { WildtlsError } from '../errors.js';
import { AddressSet, parseCidr } from './address-set.js';
import { IANA_SPECIAL_PURPOSE_V4, IANA_SPECIAL_PURPOSE_V6 } from './iana-special.js';
import { ipv4ToInt } from './ipv4.js';
import { IntervalSet } from './interval-set.js';

export interface ExclusionSettings {
  /** Ranges allowed although the default blocklist excludes them. */
  allow: string[];
  /** User blocklist files (CIDR per line, # comments). */
  blocklistFiles: string[];
  /** Optional allowlist file: only these ranges are scanned. */
  allowlistFile?: string;
}

/** Read a CIDR-per-line file; a bad line is an error that names file and line. */
export function readCidrFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new WildtlsError('WILDTLS_ERR_TARGET', `cannot read ${file}: ${(err as Error).message}`);
  }
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const t = line.replace(/#.*/, '').trim();
    if (!t) return;
    if (!parseCidr(t)) throw new WildtlsError('WILDTLS_ERR_TARGET', `${file}:${i + 1}: not an address or CIDR range: ${JSON.stringify(t)}`);
    out.push(t);
  });
  return out;
}

/**
 * Decides whether an address may be probed: the IANA special-purpose ranges
 * and the user's blocklists are excluded unless explicitly allowed, and an
 * allowlist (when given) restricts everything else. Blocklists win over --allow.
 *
 * For IPv4 the rule is compiled into one sorted list of excluded intervals, so
 * a check is a single binary search (the whole IPv4 space streams through it).
 */
export class Exclusions {
  private readonly defaults = new AddressSet([...IANA_SPECIAL_PURPOSE_V4, ...IANA_SPECIAL_PURPOSE_V6]);
  private readonly allow: AddressSet;
  private user = new AddressSet();
  private allowlist: AddressSet | undefined;
  private compiledV4 = new IntervalSet([]);
  /** Incremented on every successful reload. */
  generation = 0;

  constructor(private readonly settings: ExclusionSettings) {
    for (const c of settings.allow) {
      if (!parseCidr(c)) throw new WildtlsError('WILDTLS_ERR_TARGET', `allow ${JSON.stringify(c)}: not an address or CIDR range`);
    }
    this.allow = new AddressSet(settings.allow);
    this.reload();
  }

  /**
   * Re-read the blocklist and allowlist files (on SIGHUP: opt-out requests
   * arrive mid-scan). On error the previous lists stay in force and the error is thrown.
   */
  reload(): void {
    const user = new AddressSet(this.settings.blocklistFiles.flatMap(readCidrFile));
    const allowlist = this.settings.allowlistFile ? new AddressSet(readCidrFile(this.settings.allowlistFile)) : undefined;
    this.user = user;
    this.allowlist = allowlist;
    this.compiledV4 = this.compileV4();
    this.generation++;
  }

  /** True when the address must not be probed. */
  excludes(address: string): boolean {
    const n = ipv4ToInt(address);
    if (n !== undefined) return this.compiledV4.has(n);
    return this.rule(address);
  }

  /** The same decision for a numeric IPv4 address (hot path). */
  excludesV4(n: number): boolean {
    return this.compiledV4.has(n);
  }

  /** The excluded IPv4 intervals (for counting exclusions in a range without visiting it). */
  excludedV4(): IntervalSet {
    return this.compiledV4;
  }

  private rule(address: string): boolean {
    if (this.user.has(address)) return true;
    if (this.allowlist && !this.allowlist.has(address) && !this.allow.has(address)) return true;
    if (this.defaults.has(address) && !this.allow.has(address)) return true;
    return false;
  }

  private ruleV4(n: number): boolean {
    if (this.user.hasV4(n)) return true;
    if (this.allowlist && !this.allowlist.hasV4(n) && !this.allow.hasV4(n)) return true;
    return this.defaults.hasV4(n) && !this.allow.hasV4(n);
  }

  /** Evaluate the rule once per elementary segment between any two list boundaries. */
  private compileV4(): IntervalSet {
    const cuts = new Set<number>([0, 2 ** 32]);
    for (const set of [this.defaults, this.allow, this.user, this.allowlist]) {
      if (!set) continue;
      for (const [lo, hi] of set.ipv4().intervals()) {
        cuts.add(lo);
        cuts.add(hi + 1);
      }
    }
    const points = [...cuts].sort((a, b) => a - b);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      if (this.ruleV4(points[i]!)) out.push([points[i]!, points[i + 1]! - 1]);
    }
    return new IntervalSet(out);
  }
}
