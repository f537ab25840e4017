import type { ParsedCertificate } from '../cert/parse-certificate.js';

/** Certificates indexed by subject name, for issuer lookup during path building. */
export class IssuerPool {
  private readonly bySubject = new Map<string, ParsedCertificate[]>();
  private readonly fingerprints = new Set<string>();

  constructor(certs: Iterable<ParsedCertificate> = []) {
    for (const c of certs) this.add(c);
  }

  /** Add a certificate; false when it was already present. */
  add(c: ParsedCertificate): boolean {
    if (this.fingerprints.has(c.fingerprint)) return false;
    this.fingerprints.add(c.fingerprint);
    const list = this.bySubject.get(c.subject.key);
    if (list) list.push(c);
    else this.bySubject.set(c.subject.key, [c]);
    return true;
  }

  has(fingerprint: string): boolean {
    return this.fingerprints.has(fingerprint);
  }

  issuersOf(c: ParsedCertificate): readonly ParsedCertificate[] {
    return this.bySubject.get(c.issuer.key) ?? [];
  }

  hasSubject(key: string): boolean {
    return this.bySubject.has(key);
  }

  all(): ParsedCertificate[] {
    return [...this.bySubject.values()].flat();
  }

  get size(): number {
    return this.fingerprints.size;
  }
}
