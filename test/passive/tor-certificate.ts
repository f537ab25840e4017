import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const OPENSSL_BIN = '/usr/bin/openssl';

/** Tor's crypto_random_hostname(8, 20, prefix, suffix): 8-20 random base32 characters (RFC 4648 alphabet, lower case). */
export function torHostname(suffix: '.net' | '.com', length = 8 + (randomBytes(1)[0]! % 13)): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `www.${[...randomBytes(length)].map((b) => alphabet[b & 31]).join('')}${suffix}`;
}

export interface MintedPair {
  /** The link certificate a Tor relay sends in TLS (PEM and DER), its key (PEM), its issuer's CN. */
  certPem: string;
  der: Buffer;
  keyPem: string;
  subjectCn: string;
  issuerCn: string;
}

/**
 * A certificate shaped as Tor makes its link certificates, minted with the openssl CLI in `dir`:
 * an identity key with a self-signed certificate named `issuerSubj`, and a link key whose
 * certificate names `subjectSubj`, issued by the identity (what tortls.c does). The subjects are
 * openssl -subj strings, so a test can mint the look-alikes a rule must not match.
 */
export function mintLinkCertificate(dir: string, tag: string, subjectSubj: string, issuerSubj: string): MintedPair {
  const f = (n: string) => join(dir, `${tag}-${n}`);
  const ssl = (...args: string[]) => execFileSync(OPENSSL_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  ssl('req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', f('id.key'), '-out', f('id.pem'), '-subj', issuerSubj, '-days', '365');
  ssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('link.key'), '-out', f('link.csr'), '-subj', subjectSubj);
  ssl('x509', '-req', '-in', f('link.csr'), '-CA', f('id.pem'), '-CAkey', f('id.key'), '-set_serial', '0x' + randomBytes(8).toString('hex'), '-days', '365', '-out', f('link.pem'));
  const certPem = readFileSync(f('link.pem'), 'utf8');
  const der = ssl('x509', '-in', f('link.pem'), '-outform', 'DER');
  const cn = (subj: string) => /CN=([^/]*)/.exec(subj)?.[1] ?? '';
  return { certPem, der, keyPem: readFileSync(f('link.key'), 'utf8'), subjectCn: cn(subjectSubj), issuerCn: cn(issuerSubj) };
}
