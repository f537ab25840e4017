import { WildtlsError, type ScanSummary } from '@wildtls/core';

/**
 * A scan that ran to its end without a single probe did not do what was asked:
 * say why and what fixes it. Every target excluded is a usage error (the fix
 * is a flag, exit 2); names that did not resolve are a runtime error (exit 1).
 * A resumed scan that had nothing left counts its earlier probes, so it passes.
 */
export function emptyScanError(summary: ScanSummary): WildtlsError | undefined {
  if (summary.stopped || summary.probes > 0 || summary.skipped) return undefined;
  if (summary.excluded > 0 && summary.invalid === 0) {
    const first = summary.firstExcluded;
    const hint = first && isLoopback(first)
      ? `loopback needs --allow ${first.includes(':') ? '::1/128' : '127.0.0.0/8'}`
      : `to scan ${first ?? 'them'} anyway, allow it: --allow ${first ?? 'RANGE'} (or its range)`;
    return new WildtlsError('WILDTLS_ERR_TARGET', `nothing was scanned: all ${summary.excluded} target address${summary.excluded > 1 ? 'es are' : ' is'} excluded by the blocklist (IANA special-purpose ranges, --blocklist, --allowlist); ${hint}`);
  }
  if (summary.invalid > 0) {
    return new WildtlsError('WILDTLS_ERR_NOTHING_SCANNED', `nothing was scanned: ${summary.invalid} host name${summary.invalid > 1 ? 's' : ''} did not resolve${summary.excluded ? ` and ${summary.excluded} address${summary.excluded > 1 ? 'es were' : ' was'} excluded by the blocklist` : ''}; check the names and the resolver (--dns-server)`);
  }
  return new WildtlsError('WILDTLS_ERR_NOTHING_SCANNED', 'nothing was scanned: the targets gave no probe for the services asked (see wildtls targets with the same options)');
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
