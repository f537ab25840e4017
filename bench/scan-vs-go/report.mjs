/** The benchmark's arithmetic and its Markdown tables. */

export const median = (a) => {
  const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Marginal CPU per probe (ms) between a small and a big run of the same pass: start-up cancels out. */
export const marginalMs = (small, big) => ((big.cpuS - small.cpuS) * 1000) / (big.n - small.n || NaN);

/** Marginal wall time per target between the same runs, as targets per second. */
export const marginalRate = (small, big) => (big.n - small.n) / (big.wallS - small.wallS);

/** The runs' median CPU, for the marginal of the medians. */
const medianRun = (runs) => ({ cpuS: median(runs.map((x) => x.cpuS)), n: runs[0].n });

/** "ok/n" over a run's records, and what went wrong when not every probe succeeded. */
export function okText(runs) {
  const ok = runs.reduce((s, r) => s + r.ok, 0);
  const n = runs.reduce((s, r) => s + r.expected, 0);
  const bad = runs.find((r) => r.ok !== r.expected);
  const why = bad ? ` (e.g. ${bad.firstError ?? JSON.stringify(bad.statuses ?? {})}, exit ${bad.code ?? bad.signal})` : '';
  return `${ok}/${n}${why}`;
}

/**
 * The CPU table: per mode, each CLI row (`cliRows`: "cli:LABEL" and its
 * "cli:LABEL --workers N" variants) and each Go peer with its marginal ms of
 * CPU per probe from the medians of its runs at 254 and at 4,064 targets (a
 * start-up that ran slow in one pass moves the median little), each pass's
 * own marginal, and each CLI's ratio to each Go peer: the ratio of those
 * marginals, with the range of the per-pass ratios.
 */
export function cpuTable(modes, results, cliRows, passes) {
  const steady = Object.values(results).some((r) => Object.values(r).some((x) => x.steady?.length));
  const rows = [
    `| mode | client | ms CPU per probe, marginal of the medians (each pass) | x Go: ratio of the marginals (per-pass range) | CPU s at 254 / 4,064 (median) |${steady ? ' steady state: ms per probe 4,064 -> 12,192 (medians), x Go | CPU s at 12,192 (median) |' : ''} records ok |`,
    `| --- | --- | --- | --- | --- |${steady ? ' --- | --- |' : ''} --- |`,
  ];
  for (const [id, mode] of Object.entries(modes)) {
    const r = results[id];
    if (!r) continue;
    const per = (who) => Array.from({ length: passes }, (_, p) => marginalMs(r[who].small[p], r[who].big[p]));
    const ofMedians = (who) => marginalMs(medianRun(r[who].small), medianRun(r[who].big));
    const goPeers = mode.go.filter((g) => r[`go:${g}`]);
    for (const who of [...cliRows.filter((w) => r[w]), ...goPeers.map((g) => `go:${g}`)]) {
      const m = per(who);
      const ratios = who.startsWith('cli:')
        ? goPeers
            .map((g) => {
              const pp = m.map((x, p) => x / per(`go:${g}`)[p]);
              return `${f(ofMedians(who) / ofMedians(`go:${g}`), 2)}x ${g} (${f(Math.min(...pp), 2)}-${f(Math.max(...pp), 2)})`;
            })
            .join(', ') || 'no Go run'
        : '';
      const name = who.startsWith('cli:') ? `wildtls ${who.slice(4)}` : `Go ${who.slice(3)}`;
      const cpu = `${f(median(r[who].small.map((x) => x.cpuS)), 2)} / ${f(median(r[who].big.map((x) => x.cpuS)), 2)}`;
      let steadyCells = '';
      if (steady) {
        // Between 4,064 and 12,192 targets: start-up and the JIT's warm-up both cancel out.
        const ms = (w) => (r[w].steady?.length ? marginalMs(medianRun(r[w].big), medianRun(r[w].steady)) : NaN);
        const x = who.startsWith('cli:') ? goPeers.map((g) => `${f(ms(who) / ms(`go:${g}`), 2)}x ${g}`).join(', ') : '';
        steadyCells = ` ${f(ms(who))}${x ? `, ${x}` : ''} | ${f(median((r[who].steady ?? []).map((y) => y.cpuS)), 2)} |`;
      }
      rows.push(`| ${mode.label} | ${name} | ${f(ofMedians(who))} (${m.map((x) => f(x)).join(', ')}) | ${ratios} | ${cpu} |${steadyCells} ${okText([...r[who].small, ...r[who].big, ...(r[who].steady ?? [])])} |`);
    }
  }
  return rows.join('\n');
}

/**
 * The A/B table: per mode and variant (the default, `--workers 1`, ...), each
 * later CLI's marginal against the first CLI's (`variants[0]`): the ratio of
 * the marginals of the medians, the median of the per-pass ratios (the runs
 * of a pass are back to back, so a pass shares its load), and in how many
 * passes the later CLI was the cheaper. At --steady, the same for 4,064 ->
 * 12,192 (ratio of the medians' marginals).
 */
export function abTable(modes, results, variants, passes, label) {
  const steady = Object.values(results).some((r) => Object.values(r).some((x) => x.steady?.length));
  const rows = [
    `| mode | CLI against the first (same variant) | ms per probe, first -> this (marginals of the medians) | ratio of the marginals | median of the per-pass ratios (range) | passes cheaper |${steady ? ' steady state 4,064 -> 12,192: ms, ratio |' : ''}`,
    `| --- | --- | --- | --- | --- | --- |${steady ? ' --- |' : ''}`,
  ];
  const [first, ...others] = variants;
  for (const [id, mode] of Object.entries(modes)) {
    const r = results[id];
    if (!r) continue;
    const per = (who) => Array.from({ length: passes }, (_, p) => marginalMs(r[who].small[p], r[who].big[p]));
    const ofMedians = (who) => marginalMs(medianRun(r[who].small), medianRun(r[who].big));
    const steadyMs = (who) => (r[who].steady?.length ? marginalMs(medianRun(r[who].big), medianRun(r[who].steady)) : NaN);
    for (const cli of others) {
      cli.forEach((v, i) => {
        const a = first[i]?.who;
        if (!a || !r[a] || !r[v.who]) return;
        const pp = per(v.who).map((x, p) => x / per(a)[p]);
        const cheaper = pp.filter((x) => x < 1).length;
        const st = steady ? ` ${f(steadyMs(a))} -> ${f(steadyMs(v.who))}, ${f(steadyMs(v.who) / steadyMs(a))} |` : '';
        rows.push(`| ${mode.label} | ${label(v.who)} | ${f(ofMedians(a))} -> ${f(ofMedians(v.who))} | ${f(ofMedians(v.who) / ofMedians(a))} | ${f(median(pp))} (${f(Math.min(...pp))}-${f(Math.max(...pp))}) | ${cheaper} of ${pp.length} |${st}`);
      });
    }
  }
  return rows.join('\n');
}

export { f as fixed };
