import { describe, expect, it } from 'vitest';
import type { ProbeRecord } from '@wildtls/core';
import { ChainService, loadTrustStore } from '@wildtls/analysis-ca-practice';
import { PolicyAnalyzer } from '../src/analysis/policy-analyzer.js';

const rec = (over: Partial<ProbeRecord> & Record<string, unknown>): ProbeRecord => ({
  ip: '127.0.67.10', port: 25, service: 'smtp', protocol: 'smtp', mode: 'starttls', status: 'success',
  startedAt: '2026-12-06T00:00:00Z', durationMs: 1, banner: '220 mx', ...over,
}) as ProbeRecord;

describe('policy analyzer without a resolver (offline)', () => {
  it('counts mail domains, judges none, says it is offline; records without a mail domain and internal errors stay out', async () => {
    let built = 0;
    const a = new PolicyAnalyzer({
      version: '0.0.0',
      fetch: { timeoutMs: 1000, maxBytes: 65536 },
      chains: () => {
        built++;
        return new ChainService({ store: loadTrustStore(undefined), strictAnchors: false, maxIntermediates: 8, maxSignatureChecks: 64, maxValidityDays: 1185, useScanIntermediates: false });
      },
      concurrency: 2,
      maxDomains: 10,
    });
    a.consume(rec({ domain: 'mx.a.test', mailDomain: 'a.test' }));
    a.consume(rec({ domain: 'mx.a.test', mailDomain: 'a.test', ip: '127.0.67.11' }));
    a.consume(rec({ domain: 'mx.b.test', mailDomain: 'B.test' }));
    a.consume(rec({ domain: 'mx.c.test' }));
    a.consume(rec({ domain: 'mx.d.test', mailDomain: 'd.test', status: 'internal-error' }));
    a.consume(rec({ domain: 'imap.a.test', mailDomain: 'a.test', service: 'imap', port: 143 }));
    const r = await a.finish();
    expect(r.totals).toEqual({ records: 6, servers: 2, internalErrors: 1, mailDomains: 2, judged: 0 });
    expect(r.notes!.join('\n')).toMatch(/^Offline: no validating resolver configured/m);
    expect(r.notes!.join('\n')).toMatch(/1 port-25 SMTP records carry no mail domain/);
    expect(r.tables.find((t) => t.id === 'domains')!.rows).toEqual([]);
    expect(r.tables.find((t) => t.id === 'verdicts')!.rows.every((x) => x.domains === 0)).toBe(true);
    expect(built).toBe(0); // no trust store is loaded when nothing is judged
  });
});
