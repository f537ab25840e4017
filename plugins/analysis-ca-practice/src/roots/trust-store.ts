import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { parseCertificate } from '../cert/parse-certificate.js';
import { IssuerPool } from '../validate/issuer-pool.js';

const PEM_BLOCK = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----([\s\S]*?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----/g;

/** DER bodies of every CERTIFICATE block in a PEM text. */
export function pemCertificates(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  return out;
}

export interface TrustStore {
  anchors: IssuerPool;
  /** Where the anchors came from, for the report's notes. */
  source: string;
  /** Blocks that did not parse as certificates. */
  rejected: number;
}

/** Trust anchors from a PEM bundle, or Node's bundled Mozilla root store. */
export function loadTrustStore(rootsFile?: string): TrustStore {
  const pems = rootsFile ? pemCertificates(readFileSync(rootsFile, 'utf8')) : rootCertificates.flatMap((p) => pemCertificates(p));
  const anchors = new IssuerPool();
  let rejected = 0;
  for (const der of pems) {
    try {
      anchors.add(parseCertificate(der));
    } catch {
      rejected++;
    }
  }
  if (rootsFile && anchors.size === 0) throw new Error(`${rootsFile}: no certificates found in the PEM bundle`);
  return { anchors, source: rootsFile ?? `Node ${process.version} bundled Mozilla root store`, rejected };
}
