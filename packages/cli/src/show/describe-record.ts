import { terminalSafe as t, type ProbeRecord } from '@wildtls/core';
import type { CertificateView } from './decode-certificate.js';
import { hostView, type ChainVerdict, type HostView } from './host-view.js';

/** A record as readable lines (the demo's output, `wildtls show`): every server-controlled string escaped. */
export function describeRecord(r: ProbeRecord, validity?: ChainVerdict): string {
  return describeHost(hostView(r, validity));
}

export function describeHost(v: HostView): string {
  const out = [`${t(v.service)} ${t(v.host)} (${t(v.mode)}) → ${t(v.status)}${v.reason ? ` (${t(v.reason)}: ${t(v.message ?? '')})` : ''}`];
  if (v.domain) out.push(`  domain:      ${t(v.domain)}`);
  if (v.banner !== undefined) out.push(`  banner:      ${t(v.banner.split('\n')[0]!)}`);
  if (v.starttls) out.push(`  STARTTLS:    offered ${yes(v.starttls.offered)}, accepted (upgraded) ${yes(v.starttls.accepted)}${v.starttls.reply !== undefined ? ` (reply "${t(v.starttls.reply)}")` : ''}`);
  if (v.sasl) out.push(`  SASL:        before TLS [${v.sasl.beforeTls.map(t).join(' ') || '-'}], after TLS [${v.sasl.afterTls.map(t).join(' ') || '-'}]`);
  const tls = v.tls;
  if (tls) {
    const k = tls.keyExchange;
    const kx = k ? `${t(k.kind)}${k.group ? ` ${t(k.group)}` : ''}${k.bits ? ` ${k.bits} bits` : ''}` : '?';
    out.push(`  TLS:         ${t(tls.version ?? '?')} ${t(tls.suite ?? '?')}, key exchange ${kx}, completed ${yes(tls.completed)}${tls.handshakeMs !== undefined ? `, ${tls.handshakeMs} ms` : ''}`);
    if (tls.notCompletedReason) out.push(`  not completed: ${t(tls.notCompletedReason)}`);
    if (tls.error) out.push(`  TLS error:   ${t(tls.error)}`);
    out.push(`  OCSP:        ${tls.ocspStapled ? 'stapled' : 'not stapled'}${tls.alpn ? `; ALPN ${t(tls.alpn)}` : ''}`);
  }
  v.certificates.forEach((c, i) => out.push(...certificateLines(c, i, v.certificates.length)));
  if (v.validity) out.push(...verdictLines(v.validity));
  if (v.http) out.push(`  HTTP:        ${v.http.status ?? '?'}, Server "${t(v.http.server ?? '')}", HSTS "${t(v.http.hsts ?? 'none')}"`);
  return out.join('\n');
}

function certificateLines(c: CertificateView | { undecodable: string; sha256: string }, i: number, n: number): string[] {
  const head = `  certificate ${i + 1}/${n}${i === 0 ? ' (leaf)' : ''}:`;
  if ('undecodable' in c) return [`${head} does not decode (${t(c.undecodable)})`, `    SHA-256:   ${c.sha256}`];
  return [
    head,
    `    subject:   ${t(c.subject)}`,
    `    issuer:    ${c.selfIssued ? 'itself (self-issued)' : t(c.issuer)}`,
    ...(c.sans.length ? [`    SANs:      ${c.sans.map(t).join(', ')}`] : []),
    `    valid:     ${c.notBefore} to ${c.notAfter}`,
    `    key:       ${t(c.key.type)}${c.key.bits ? ` ${c.key.bits} bits` : ''}${c.key.curve ? ` (${t(c.key.curve)})` : ''}`,
    `    SHA-256:   ${c.sha256}`,
  ];
}

function verdictLines(v: ChainVerdict): string[] {
  const openssl = `openssl verify: ${v.openssl.code === 0 ? 'ok' : `error ${v.openssl.code} at depth ${v.openssl.depth} (${v.openssl.text})`}`;
  return [
    `  chain:       ${v.errors.length === 0 ? 'valid' : `invalid: ${v.errors.join(', ')}`} (profile ${v.profile}); ${openssl}`,
    ...(v.hostname ? [`  host name:   ${t(v.hostname.name)} ${v.hostname.matches ? 'is covered by' : 'is NOT covered by'} the leaf's subjectAltName`] : []),
  ];
}

function yes(b: boolean | undefined): string {
  return b ? 'yes' : 'no';
}
