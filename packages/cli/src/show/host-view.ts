import type { ProbeRecord } from '@wildtls/core';
import { decodeCertificate, type CertificateView } from './decode-certificate.js';

/** A chain's verdict with every error (ca-practice's ChainExplanation, by shape: the CLI imports no plugin). */
export interface ChainVerdict {
  profile: string;
  errors: string[];
  openssl: { code: number; depth: number; text: string };
  hostname?: { name: string; matches: boolean };
}

/**
 * One record as a person reads it (`wildtls show`, the demo): what the
 * server did, and each certificate decoded. Data, not text: rendered as text
 * by describeRecord or written as JSON. Server-controlled strings are kept
 * as received; the text renderer escapes them.
 */
export interface HostView {
  host: string;
  service: string;
  mode: string;
  domain?: string;
  startedAt: string;
  status: string;
  reason?: string;
  message?: string;
  banner?: string;
  starttls?: { offered: boolean; accepted: boolean; reply?: string };
  sasl?: { beforeTls: string[]; afterTls: string[] };
  tls?: {
    version?: string;
    suite?: string;
    keyExchange?: { kind: string; group?: string; bits?: number };
    completed: boolean;
    notCompletedReason?: string;
    error?: string;
    ocspStapled: boolean;
    alpn?: string;
    handshakeMs?: number;
  };
  certificates: Array<CertificateView | { undecodable: string; sha256: string }>;
  /** Absent when the record has no chain or no validator is loaded. */
  validity?: ChainVerdict;
  http?: { status?: number; server?: string; hsts?: string };
}

/** host in ip:port form (IPv6 in brackets). */
export function hostOf(r: Pick<ProbeRecord, 'ip' | 'port'>): string {
  return r.ip.includes(':') ? `[${r.ip}]:${r.port}` : `${r.ip}:${r.port}`;
}

export function hostView(r: ProbeRecord, validity?: ChainVerdict): HostView {
  const tls = r.tls;
  const http = (r as { http?: { status?: number; server?: string; hsts?: string } }).http;
  return {
    host: hostOf(r),
    service: r.service,
    mode: r.mode,
    ...(r.domain ? { domain: r.domain } : {}),
    startedAt: r.startedAt,
    status: r.status,
    ...(r.error ? { reason: r.error.reason, message: r.error.message } : {}),
    ...(r.banner !== undefined ? { banner: r.banner } : {}),
    ...(r.starttls ? { starttls: { offered: r.starttls.offered, accepted: r.starttls.upgraded, ...(r.starttls.reply !== undefined ? { reply: r.starttls.reply } : {}) } } : {}),
    ...(r.sasl ? { sasl: { beforeTls: r.sasl.beforeTls ?? [], afterTls: r.sasl.afterTls ?? [] } } : {}),
    ...(tls
      ? {
          tls: {
            ...(tls.version ? { version: tls.version } : {}),
            ...(tls.cipherSuite ? { suite: tls.cipherSuite.name } : {}),
            ...(tls.keyExchange ? { keyExchange: tls.keyExchange } : {}),
            completed: tls.completed,
            ...(tls.notCompletedReason ? { notCompletedReason: tls.notCompletedReason } : {}),
            ...(tls.error ? { error: `${tls.error.kind}: ${tls.error.message}` } : {}),
            ocspStapled: tls.ocspStapled,
            ...(tls.alpn ? { alpn: tls.alpn } : {}),
            ...(tls.handshakeMs !== undefined ? { handshakeMs: tls.handshakeMs } : {}),
          },
        }
      : {}),
    certificates: (tls?.chain ?? []).map(decodeCertificate),
    ...(validity ? { validity } : {}),
    ...(http ? { http } : {}),
  };
}
