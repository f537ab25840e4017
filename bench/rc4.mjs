/**
 * RC4 two ways: the engine's TypeScript RC4 (packages/core/src/tls/rc4.ts) and
 * OpenSSL's legacy-provider RC4 through node:crypto, which exists only in a
 * Node started with --openssl-legacy-provider. Both are measured in ONE child
 * `node --openssl-legacy-provider` (same process, same run, so the ratio is
 * fair), then full RC4 handshakes of the engine against gnutls-serv on
 * loopback (127.0.0.1:24190-24191, the port range of these tests), in this
 * process, beside AES-128-CBC handshakes against the same server.
 * Bounded: fixed counts, 60 s per handshake cell; loopback only.
 *
 *   npx tsc -b packages/core && node bench/rc4.mjs [handshakes]
 */
import { execFileSync, spawn } from 'node:child_process';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rc4 } from '../packages/core/dist/tls/rc4.js';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000; // ms
};

/** One direction of RC4 record protection: HMAC-SHA1 over seq|header|data, then the keystream over data|MAC. */
function sealer(kind) {
  const key = randomBytes(16);
  const macKey = randomBytes(20);
  const xor = kind === 'ts' ? ((r) => (b) => r.update(b, b))(new Rc4(key)) : ((c) => (b) => c.update(b))(createCipheriv('rc4', key, null));
  let seq = 0n;
  const seqBuf = Buffer.alloc(8);
  return (data) => {
    seqBuf.writeBigUInt64BE(seq++);
    const mac = createHmac('sha1', macKey).update(seqBuf).update(Buffer.from([23, 3, 3, data.length >> 8, data.length & 255])).update(data).digest();
    return xor(Buffer.concat([data, mac]));
  };
}

function micro(kind) {
  const rows = [];
  // Keystream alone, per MiB (16 MiB in 16 KiB records).
  {
    const xor = kind === 'ts' ? ((r) => (b) => r.update(b, b))(new Rc4(randomBytes(16))) : ((c) => (b) => c.update(b))(createCipheriv('rc4', randomBytes(16), null));
    const rec = randomBytes(16384);
    for (let i = 0; i < 64; i++) xor(rec);
    const t = cpu();
    for (let i = 0; i < 1024; i++) xor(rec);
    rows.push({ what: 'keystream, ms CPU per MiB', value: (cpu() - t) / 16 });
  }
  // Whole records (MAC + keystream), by size.
  for (const size of [64, 1024, 16384]) {
    const seal = sealer(kind);
    const data = randomBytes(size);
    const n = Math.max(200, Math.floor((8 << 20) / size));
    for (let i = 0; i < 200; i++) seal(data);
    const t = cpu();
    for (let i = 0; i < n; i++) seal(data);
    const ms = cpu() - t;
    rows.push({ what: `${size}-byte record (HMAC-SHA1 + RC4), µs CPU per record`, value: (ms * 1000) / n });
    if (size === 16384) rows.push({ what: 'records of 16 KiB (HMAC-SHA1 + RC4), ms CPU per MiB', value: ms / ((n * size) / (1 << 20)) });
  }
  // What RC4 adds to one handshake: two key schedules, Finished both ways, a request and a short reply.
  {
    const n = 20000;
    const t = cpu();
    for (let i = 0; i < n; i++) {
      const w = sealer(kind);
      const r = sealer(kind);
      w(Buffer.alloc(16));
      r(Buffer.alloc(16));
      w(Buffer.alloc(40));
      r(Buffer.alloc(200));
    }
    rows.push({ what: "RC4's share of one handshake (2 key setups, 4 short records), µs CPU", value: ((cpu() - t) * 1000) / n });
  }
  return rows;
}

if (process.argv[2] === '--micro') {
  // In the child: both variants, alternating rounds, median of 3.
  const rounds = { ts: [], native: [] };
  for (let r = 0; r < 3; r++) for (const k of ['ts', 'native']) rounds[k].push(micro(k));
  const med = (xs) => xs.sort((a, b) => a - b)[1];
  const out = rounds.ts[0].map((row, i) => ({ what: row.what, ts: med(rounds.ts.map((x) => x[i].value)), native: med(rounds.native.map((x) => x[i].value)) }));
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}

const micros = JSON.parse(execFileSync(process.execPath, ['--openssl-legacy-provider', fileURLToPath(import.meta.url), '--micro']).toString());
console.log(`Node ${process.version}; micro-benchmarks in one child node --openssl-legacy-provider, median of 3 alternating rounds\n`);
console.log('| what | TypeScript RC4 | legacy-provider RC4 | ratio |\n| --- | ---: | ---: | ---: |');
for (const r of micros) console.log(`| ${r.what} | ${r.ts.toFixed(2)} | ${r.native.toFixed(2)} | ${(r.ts / r.native).toFixed(2)}x |`);

// Full handshakes through the engine (TypeScript RC4), RC4 vs AES-CBC, against gnutls-serv.
const N = Number(process.argv[2] ?? 400);
const { RawTlsEngine, dialTcp, resolveProfile } = await import('@wildtls/core');
const dir = mkdtempSync(join(tmpdir(), 'wildtls-rc4-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key', '-out', 'rsa.crt', '-subj', '/CN=x', '-days', '2'], { cwd: dir, stdio: 'ignore' });
const cells = [
  ['RC4-128-SHA, RSA key exchange', 24190, 'NONE:+VERS-TLS1.2:+ARCFOUR-128:+SHA1:+RSA:+COMP-NULL:+SIGN-ALL'],
  ['AES-128-CBC-SHA, RSA key exchange', 24191, 'NONE:+VERS-TLS1.2:+AES-128-CBC:+SHA1:+RSA:+COMP-NULL:+SIGN-ALL'],
];
const procs = cells.map(([, port, prio]) => spawn('gnutls-serv', ['--http', '-q', '-a', '--port', String(port), '--x509certfile', 'rsa.crt', '--x509keyfile', 'rsa.key', '--priority', prio], { cwd: dir, stdio: 'ignore' }));
// A server that exits early (its address taken, say by a stale one) must not leave the bench measuring someone else.
let finished = false;
for (const p of procs) p.on('exit', (code) => {
  if (!finished) {
    console.error(`gnutls-serv exited early (code ${code})`);
    process.exit(1);
  }
});
try {
  for (const [, port] of cells) {
    const until = Date.now() + 15000;
    while (!(await dialTcp('127.0.0.1', port, { timeoutMs: 1000 }).then((s) => (s.destroy(), true), () => false))) {
      if (Date.now() > until) throw new Error(`gnutls-serv on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const engine = new RawTlsEngine();
  const profile = resolveProfile('study');
  const one = async (port) => {
    const socket = await dialTcp('127.0.0.1', port, { timeoutMs: 5000 });
    socket.on('error', () => {});
    const { info, stream } = await engine.handshake(socket, { profile, observeOnly: false, readTimeoutMs: 5000, maxBytes: 1 << 20 });
    if (!info.completed) throw new Error(`not completed: ${info.error?.message}`);
    await new Promise((res) => {
      let got = '';
      const t = setTimeout(res, 5000);
      stream.on('data', (d) => {
        got += d.toString('latin1');
        if (/<\/HTML>/i.test(got)) {
          clearTimeout(t);
          res();
        }
      });
      stream.on('end', () => (clearTimeout(t), res()));
      stream.on('error', () => (clearTimeout(t), res()));
      stream.write('GET / HTTP/1.0\r\n\r\n');
    });
    stream.destroy();
    return info.cipherSuite.name;
  };
  console.log(`\nFull handshakes + GET against gnutls-serv, engine in this process (TypeScript RC4), ${N} per cell, 3 alternating rounds, median:\n`);
  console.log('| cell | suite | ms CPU per handshake (client) | ms wall per handshake |\n| --- | --- | ---: | ---: |');
  const res = new Map(cells.map(([name]) => [name, []]));
  for (let round = 0; round < 3; round++) {
    for (const [name, port] of cells) {
      for (let i = 0; i < 20; i++) await one(port);
      const t0 = cpu();
      const w0 = performance.now();
      let suite = '';
      const deadline = Date.now() + 60000;
      for (let i = 0; i < N && Date.now() < deadline; i++) suite = await one(port);
      res.get(name).push({ suite, cpu: (cpu() - t0) / N, wall: (performance.now() - w0) / N });
    }
  }
  for (const [name, rs] of res) {
    const med = (k) => rs.map((r) => r[k]).sort((a, b) => a - b)[1];
    console.log(`| ${name} | ${rs[0].suite} | ${med('cpu').toFixed(3)} | ${med('wall').toFixed(3)} |`);
  }
} finally {
  finished = true;
  for (const p of procs) p.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
