import { describe, expect, it } from 'vitest';
import { loadLimbo, namespaceOf, runLimboCase, skipReason } from './limbo-runner.js';
import { openSslAvailable, openSslVerdict } from './openssl-baseline.js';

/**
 * The x509-limbo suite (C2SP), SERVER and CLIENT cases, through the strict
 * profile's validator (the default openssl profile follows OpenSSL instead:
 * openssl-agreement.test.ts holds it to that).
 * The floor is the agreement this validator reached when the test was
 * written: a regression makes the test fail. OpenSSL 3.0 runs over exactly
 * the same (non-skipped) SERVER cases for comparison.
 */
const FLOOR = 179;

describe('x509-limbo', () => {
  const cases = loadLimbo();

  it('agrees with the expected results at least as often as before, and beats OpenSSL 3.0 on the same cases', () => {
    const perNs = new Map<string, { n: number; agree: number }>();
    const misses: string[] = [];
    const skipped = new Map<string, number>();
    let agree = 0;
    let run = 0;
    let serverRun = 0;
    let serverAgree = 0;
    let opensslAgree = 0;
    let opensslRun = 0;
    const useOpenSsl = openSslAvailable();
    let lenientAgree = 0;
    let opensslAllAgree = 0;
    let opensslAll = 0;
    for (const tc of cases) {
      const skip = skipReason(tc);
      if (useOpenSsl && tc.validation_kind === 'SERVER') {
        // OpenSSL over every SERVER case too, to check the README's figure (137/198).
        const v = openSslVerdict(tc);
        opensslAll++;
        if (v === tc.expected_result) opensslAllAgree++;
        if (!skip) {
          opensslRun++;
          if (v === tc.expected_result) opensslAgree++;
        }
      }
      if (skip) {
        skipped.set(skip, (skipped.get(skip) ?? 0) + 1);
        continue;
      }
      const { result, verdict } = runLimboCase(tc);
      const ok = result === tc.expected_result;
      // The plugin's default leaves trust anchors' extension profile alone (strictAnchors: false).
      if (runLimboCase(tc, false).result === tc.expected_result) lenientAgree++;
      run++;
      if (ok) agree++;
      else misses.push(`${tc.id} (expected ${tc.expected_result}; got ${verdict.errors.join(',') || 'SUCCESS'})`);
      const ns = namespaceOf(tc.id);
      const row = perNs.get(ns) ?? { n: 0, agree: 0 };
      row.n++;
      if (ok) row.agree++;
      perNs.set(ns, row);
      if (tc.validation_kind === 'SERVER') {
        serverRun++;
        if (ok) serverAgree++;
      }
    }
    const lines = [...perNs].sort(([a], [b]) => a.localeCompare(b)).map(([ns, r]) => `  ${ns.padEnd(22)} ${r.agree}/${r.n}`);
    console.log(
      [
        `x509-limbo: ${agree}/${run} cases agree (${((agree / run) * 100).toFixed(1)}%); skipped ${[...skipped.values()].reduce((a, b) => a + b, 0)} (${[...skipped].map(([f, n]) => `${f} ${n}`).join(', ')})`,
        `with strictAnchors off (the plugin default): ${lenientAgree}/${run}`,
        `SERVER cases: ours ${serverAgree}/${serverRun} (${((serverAgree / serverRun) * 100).toFixed(1)}%)` +
          (useOpenSsl
            ? `; OpenSSL 3.0 on the same cases ${opensslAgree}/${opensslRun} (${((opensslAgree / opensslRun) * 100).toFixed(1)}%), on all ${opensslAll} SERVER cases ${opensslAllAgree}/${opensslAll}`
            : '; openssl not installed, no baseline'),
        ...lines,
        ...misses.map((m) => `  miss: ${m}`),
      ].join('\n'),
    );
    expect(agree).toBeGreaterThanOrEqual(FLOOR);
    if (useOpenSsl) expect(serverAgree).toBeGreaterThanOrEqual(opensslAgree);
  }, 120_000);
});
