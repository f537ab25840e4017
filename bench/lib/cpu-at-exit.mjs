/**
 * The process's CPU time (user and system, every thread: getrusage) in microseconds, printed to stderr
 * at exit as `cpu-us USER SYSTEM`. Preload it (`node --import .../cpu-at-exit.mjs ...`) where GNU
 * time's 10 ms ticks are too coarse: a marginal of a few hundred ms between two runs.
 */
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write(`cpu-us ${u.user} ${u.system}\n`);
});
