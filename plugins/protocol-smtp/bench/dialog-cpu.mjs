// The SMTP dialog's own CPU, without sockets or TLS: banner, EHLO, STARTTLS, (a plain stream in
// place of the handshake), EHLO, QUIT, on core's Connection over an in-memory server stream that
// answers each command on the next turn of the event loop (setImmediate, as a loopback read
// arrives). What it measures is the dialog, the line reader and the record's SMTP fields: the part
// of `wildtls scan --protocol smtp` that `--protocol tls` does not run. Bounded: at most 4,000
// dialogs per process, 50 at a time.
//
//   node plugins/protocol-smtp/bench/dialog-cpu.mjs ROOT [N] [C]       one run: CPU (user+sys) of N dialogs
//   node plugins/protocol-smtp/bench/dialog-cpu.mjs --ab OLD NEW [PASSES=9]
//       marginal CPU per dialog from 250 to 4,000 dialogs (fresh processes, the issue-15 way of
//       counting), OLD and NEW alternating, medians and the new/old ratio. --floor adds the same
//       writes and waits done straight on the streams (the harness's own cost, to subtract).
// ROOT is a built checkout (packages/core/bundle, plugins/protocol-smtp/bundle).
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);

if (args[0] === '--ab') {
  const floor = args.includes('--floor');
  const [, oldRoot, newRoot, passArg] = args.filter((a) => a !== '--floor');
  const passes = Math.min(Number(passArg ?? 9), 25);
  const me = fileURLToPath(import.meta.url);
  const cpu = (root, n, env = {}) => JSON.parse(execFileSync(process.execPath, [me, root, String(n)], { env: { ...process.env, ...env } }).toString()).cpuMs;
  const marginal = (root, env) => ((cpu(root, 4000, env) - cpu(root, 250, env)) / 3750) * 1000;
  const runs = { old: [], new: [], floor: [] };
  for (let p = 0; p < passes; p++) {
    runs.old.push(marginal(oldRoot));
    runs.new.push(marginal(newRoot));
    if (floor) runs.floor.push(marginal(newRoot, { SMTP_BENCH_FLOOR: '1' }));
    console.log(`pass ${p + 1}: old ${runs.old.at(-1).toFixed(1)} new ${runs.new.at(-1).toFixed(1)}${floor ? ` floor ${runs.floor.at(-1).toFixed(1)}` : ''} µs/dialog`);
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const m = { old: median(runs.old), new: median(runs.new) };
  console.log(`median old ${m.old.toFixed(1)} new ${m.new.toFixed(1)} µs/dialog, new/old ${(m.new / m.old).toFixed(3)}${floor ? `; harness floor ${median(runs.floor).toFixed(1)}` : ''}`);
  process.exit(0);
}

const [rootArg, nArg, cArg] = args;
// A relative ROOT (`.`) is the caller's directory, not this file's: import() resolves a relative path from here.
const root = pathToFileURL(resolve(rootArg)).href;
const core = await import(`${root}/packages/core/bundle/index.js`);
const smtp = (await import(`${root}/plugins/protocol-smtp/bundle/index.js`)).default;
const N = Math.min(Number(nArg ?? 4000), 4000);
const C = Math.min(Number(cArg ?? 50), 50);
const BANNER = '220 bench.wildtls.test ESMTP wildtls bench\r\n';
const EHLO_PLAIN = '250-bench.wildtls.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n';
const EHLO_TLS = '250-bench.wildtls.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n';

/** The server: the replies of bench/go-smtp-server (the farm's), one read each, on the next turn. */
class ServerStream extends EventEmitter {
  destroyed = false;
  constructor(tls, greet) {
    super();
    this.tls = tls;
    if (greet) this.send(BANNER);
  }
  send(s) {
    setImmediate(() => {
      if (!this.destroyed) this.emit('data', Buffer.from(s, 'latin1'));
    });
  }
  write(d, cb) {
    // The command by its first byte, the same work whether the dialog writes strings or Buffers.
    const c = typeof d === 'string' ? d.charCodeAt(0) : d[0];
    if (c === 0x45) this.send(this.tls ? EHLO_TLS : EHLO_PLAIN); // EHLO
    else if (c === 0x53) this.send('220 ready to start TLS\r\n'); // STARTTLS
    else if (c === 0x51) this.send('221 bye\r\n'); // QUIT
    cb?.();
    return true;
  }
  end() {}
  destroy() {
    this.destroyed = true;
  }
  close() {
    this.destroyed = true;
  }
  pause() {}
  resume() {}
}

const dialog = smtp.services.find((s) => s.name === 'smtp').dialog;
// SMTP_BENCH_FLOOR: the same writes and a wait per reply straight on the streams (no Connection, no dialog).
const floorDialog = async (ctx) => {
  const reply = (st) => new Promise((r) => st.once('data', r));
  let st = ctx.conn.stream;
  await reply(st);
  st.write('EHLO x\r\n');
  await reply(st);
  st.write('STARTTLS\r\n');
  await reply(st);
  st = new ServerStream(true, false);
  st.write('EHLO x\r\n');
  await reply(st);
  st.write('QUIT\r\n');
  await reply(st);
  ctx.record.capabilities = { afterTls: ['PIPELINING', '8BITMIME'] };
  return 'success';
};
const floor = Boolean(process.env.SMTP_BENCH_FLOOR);
const logger = { debug() {}, info() {}, warn() {}, child() { return this; } };
const signal = new AbortController().signal;
let ok = 0;

async function one() {
  const stream = new ServerStream(false, true);
  const conn = floor ? { stream, close() {} } : new core.Connection(stream, { readTimeoutMs: 10_000, maxLineBytes: 4096, maxTotalBytes: 1 << 20 });
  const record = {};
  const ctx = {
    target: { ip: '127.0.0.1', port: 25, service: 'smtp' }, options: {}, conn, record, implicitTls: false, logger, signal,
    async startTls() {
      conn.detach();
      conn.attach(new ServerStream(true, false));
      record.tls = { completed: true };
      return { completed: true, info: record.tls };
    },
  };
  const status = await (floor ? floorDialog : dialog)(ctx);
  conn.close();
  if (status === 'success' && record.capabilities?.afterTls?.length === 2) ok++;
}

const u0 = process.cpuUsage();
let next = 0;
await Promise.all(Array.from({ length: C }, async () => {
  while (next < N) {
    next++;
    await one();
  }
}));
const u = process.cpuUsage(u0);
if (ok !== N) throw new Error(`only ${ok} of ${N} dialogs succeeded`);
console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, n: N }));
