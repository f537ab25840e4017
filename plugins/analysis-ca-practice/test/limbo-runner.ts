import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EKU, KU } from '../src/cert/extensions.js';
import { parseCertificate, type ParsedCertificate } from '../src/cert/parse-certificate.js';
import { validateChain, type ChainVerdict } from '../src/validate/chain-validator.js';
import { IssuerPool } from '../src/validate/issuer-pool.js';

export const LIMBO_DIR = '/work/shared/testdata/x509-limbo';

export interface LimboCase {
  id: string;
  features: string[] | null;
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  key_usage: string[];
  extended_key_usage: string[];
  expected_result: 'SUCCESS' | 'FAILURE';
  expected_peer_name: { kind: 'DNS' | 'IP' | 'RFC822'; value: string } | null;
  max_chain_depth: number | null;
}

/**
 * Optional behaviours this validator does not implement (so their cases are
 * skipped, as the suite asks): CRLs, certificate policies, the public suffix
 * list, webpki's stricter EKU rules, and RFC 5280 rules that contradict the Web PKI.
 */
export const UNIMPLEMENTED_FEATURES = new Set([
  'has-crl', 'has-policy-constraints', 'has-cert-policies', 'no-cert-policies',
  'pedantic-public-suffix-wildcard', 'pedantic-webpki-eku', 'pedantic-rfc5280', 'rfc5280-incompatible-with-webpki',
]);

export function loadLimbo(): LimboCase[] {
  return (JSON.parse(readFileSync(`${LIMBO_DIR}/limbo.json`, 'utf8')) as { testcases: LimboCase[] }).testcases;
}

export function skipReason(tc: LimboCase): string | undefined {
  return (tc.features ?? []).find((f) => UNIMPLEMENTED_FEATURES.has(f));
}

function parsePem(pem: string): ParsedCertificate | undefined {
  try {
    return parseCertificate(Buffer.from(new X509Certificate(pem).raw));
  } catch {
    return undefined;
  }
}

const EKU_OIDS: Record<string, string> = { serverAuth: EKU.serverAuth, clientAuth: EKU.clientAuth, anyExtendedKeyUsage: EKU.any };

/** Run one case through the validator: the peer certificate first, then the untrusted intermediates, as a server would send them. */
export function runLimboCase(tc: LimboCase, strictAnchors = true): { result: 'SUCCESS' | 'FAILURE'; verdict: ChainVerdict } {
  const anchors = new IssuerPool();
  for (const pem of tc.trusted_certs) {
    const c = parsePem(pem);
    if (c) anchors.add(c);
  }
  const sent = [parsePem(tc.peer_certificate), ...tc.untrusted_intermediates.map(parsePem)];
  const pool = new IssuerPool(sent.slice(1).filter((c): c is ParsedCertificate => !!c));
  const peer = tc.validation_kind === 'SERVER' && tc.expected_peer_name
    ? tc.expected_peer_name.kind === 'IP' ? { kind: 'ip' as const, value: tc.expected_peer_name.value } : { kind: 'dns' as const, value: tc.expected_peer_name.value }
    : undefined;
  const eku = tc.extended_key_usage[0] ? EKU_OIDS[tc.extended_key_usage[0]] ?? tc.extended_key_usage[0] : tc.validation_kind === 'CLIENT' ? EKU.clientAuth : EKU.serverAuth;
  let keyUsage: number | undefined;
  for (const k of tc.key_usage) keyUsage = (keyUsage ?? 0) | (KU as Record<string, number>)[k]!;
  const verdict = validateChain(
    {
      sent,
      at: tc.validation_time ? Date.parse(tc.validation_time) : Date.now(),
      peer,
      eku,
      keyUsage,
      maxIntermediates: tc.max_chain_depth ?? undefined,
    },
    { anchors, strictAnchors, maxIntermediates: 8, maxSignatureChecks: 64 },
    pool,
  );
  return { result: verdict.errors.length === 0 ? 'SUCCESS' : 'FAILURE', verdict };
}

export function namespaceOf(id: string): string {
  const parts = id.split('::');
  return parts.length > 2 ? parts.slice(0, 2).join('::') : parts[0]!;
}
