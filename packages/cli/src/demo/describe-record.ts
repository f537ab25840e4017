import { X509Certificate } from 'node:crypto';
import type { ProbeRecord } from '@wildtls/core';

/** A few readable lines about one record, for the demo's output. */
export function describeRecord(r: ProbeRecord): string {
  const out = [`${r.service} ${r.ip}:${r.port} (${r.mode}) → ${r.status}${r.error ? ` (${r.error.reason}: ${r.error.message})` : ''}`];
  if (r.banner) out.push(`  banner:      ${r.banner.split('\n')[0]}`);
  if (r.starttls) out.push(`  STARTTLS:    offered ${yes(r.starttls.offered)}, accepted (upgraded) ${yes(r.starttls.upgraded)}${r.starttls.reply ? ` (reply "${r.starttls.reply}")` : ''}`);
  if (r.sasl) out.push(`  SASL:        before TLS [${(r.sasl.beforeTls ?? []).join(' ') || '-'}], after TLS [${(r.sasl.afterTls ?? []).join(' ') || '-'}]`);
  const tls = r.tls;
  if (tls) {
    const kx = tls.keyExchange ? `${tls.keyExchange.kind}${tls.keyExchange.group ? ` ${tls.keyExchange.group}` : ''}${tls.keyExchange.bits ? ` ${tls.keyExchange.bits} bits` : ''}` : '?';
    out.push(`  TLS:         ${tls.version ?? '?'} ${tls.cipherSuite?.name ?? '?'}, key exchange ${kx}, completed ${yes(tls.completed)}${tls.handshakeMs !== undefined ? `, ${tls.handshakeMs} ms` : ''}`);
    if (tls.chain[0]) {
      const c = new X509Certificate(Buffer.from(tls.chain[0], 'base64'));
      out.push(`  certificate: ${c.subject.replace(/\n/g, ', ')}; ${c.subject === c.issuer ? 'self-signed' : `issued by ${c.issuer.replace(/\n/g, ', ')}`}; ${tls.chain.length} in chain; expires ${new Date(c.validTo).toISOString().slice(0, 10)}`);
    }
  }
  const http = (r as { http?: { status?: number; server?: string; hsts?: string } }).http;
  if (http) out.push(`  HTTP:        ${http.status ?? '?'}, Server "${http.server ?? ''}", HSTS "${http.hsts ?? 'none'}"`);
  return out.join('\n');
}

function yes(b: boolean | undefined): string {
  return b ? 'yes' : 'no';
}
