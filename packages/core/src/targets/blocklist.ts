import { readFileSync } from 'node:fs';
import { WildtlsError } from '../errors.js';
import { AddressSet, parseCidr } from './address-set.js';
import { IANA_SPECIAL_PURPOSE_V4, IANA_SPECIAL_PURPOSE_V6 } from './iana-special.js';

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
  const probe = new AddressSet();
  text.split('\n').forEach((line, i) => {
    const t = line.replace(/#.*/, '').trim();
    if (!t) return;
    if (!probe.add(t)) throw new WildtlsError('WILDTLS_ERR_TARGET', `${file}:${i + 1}: not an address or CIDR range: ${JSON.stringify(t)}`);
    out.push(t);
  });
  return out;
}

/**
 * Decides whether an address may be probed: the IANA special-purpose ranges
 * and the user's blocklists are excluded unless explicitly allowed, and an
 * allowlist (when given) restricts everything else. Blocklists win over --allow.
 */
export class Exclusions {
  private defaults = new AddressSet([...IANA_SPECIAL_PURPOSE_V4, ...IANA_SPECIAL_PURPOSE_V6]);
  private allow: AddressSet;
  private user: AddressSet;
  private allowlist: AddressSet | undefined;

  constructor(private readonly settings: ExclusionSettings) {
    this.allow = new AddressSet(settings.allow);
    this.user = new AddressSet();
    for (const c of settings.allow) {
      if (!parseCidr(c)) throw new WildtlsError('WILDTLS_ERR_TARGET', `allow ${JSON.stringify(c)}: not an address or CIDR range`);
    }
    this.reload();
  }

  /** Re-read the blocklist and allowlist files (on SIGHUP: opt-out requests arrive mid-scan). */
  reload(): void {
    this.user = new AddressSet(this.settings.blocklistFiles.flatMap(readCidrFile));
    this.allowlist = this.settings.allowlistFile ? new AddressSet(readCidrFile(this.settings.allowlistFile)) : undefined;
  }

  /** True when the address must not be probed. */
  excludes(address: string): boolean {
    if (this.user.has(address)) return true;
    if (this.allowlist && !this.allowlist.has(address) && !this.allow.has(address)) return true;
    if (this.defaults.has(address) && !this.allow.has(address)) return true;
    return false;
  }
}
