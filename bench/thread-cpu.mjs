/**
 * CPU time of each thread of a Node process, printed to stderr at exit: the
 * main thread, each worker thread, and V8's and libuv's helper threads (GC,
 * compiler, thread pool). Linux only (/proc/self/task). Preload it:
 *
 *   node --import ./bench/thread-cpu.mjs packages/cli/bin/run.js scan ... --workers 2
 *
 * prints one line `thread-cpu {"main":[user,sys],"<tid>":[user,sys],...}` in
 * clock ticks (USER_HZ, 100 per second on Linux), every thread that used any.
 * A worker thread is gone from /proc once it exits, so the threads are read
 * every 50 ms and at exit, and each thread's last reading counts (a worker's
 * last 50 ms before it exits may be missed: a few ticks at most).
 * --cpu-prof cannot stand in for this: its samples are taken on wall-clock
 * ticks, so a thread preempted inside a call (a postMessage that wakes
 * another thread, say) is charged for the time it was not running.
 */
import { readdirSync, readFileSync } from 'node:fs';

const seen = new Map();
function read() {
  let tids;
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seen.set(tid, [Number(f[11]), Number(f[12])]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
}
setInterval(read, 50).unref();
process.on('exit', () => {
  read();
  const out = {};
  for (const [tid, t] of seen) if (t[0] + t[1] > 0) out[tid === String(process.pid) ? 'main' : tid] = t;
  process.stderr.write(`thread-cpu ${JSON.stringify(out)}\n`);
});
