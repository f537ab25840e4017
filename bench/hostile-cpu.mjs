/**
 * Client CPU that hostile servers can make a probe burn (bounded in count and
 * time; loopback only, 127.0.42.50-59).
 *
 *   npx tsc -b packages/core && node --expose-gc bench/hostile-cpu.mjs [--sizes 1,4] [--reps 3] [--core DIR] [--only name,...]
 *
 * Each adversarial pattern is fed at each size (MiB on the wire) through the
 * kernel's probe path: runProbe, RawTlsEngine, TlsStream, Connection, with
 * one probe at a time. Client CPU = user+sys of this process (process.cpuUsage)
 * around the probe, median of --reps runs after one warm-up run; the servers
 * run in a child process (and openssl s_server in its own), so their CPU is
 * not counted. Two settings of the engine:
 *   - lifted: the byte cap at 64 MiB and the engine's counting caps (records,
 *     messages, certificate entries, line length) out of the way, so the
 *     reassembly and parsing under them are measured: CPU must grow linearly;
 *   - default: the caps a scan runs with (1 MiB per probe, limits.ts), i.e.
 *     what one such server costs a scan.
 * --core points at another build of packages/core (e.g. the code before the
 * change), whose engine takes no limits: then only the lifted rows apply.
 * A second table: what one DHE key agreement costs per prime size, on the
 * paths the engine takes (named group, unknown group, long generator) and the
 * createDiffieHellman path it avoids.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { createCipheriv, createDiffieHellman, createHmac, getDiffieHellman } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const CORE = resolve(opt('--core', join(HERE, '../packages/core/dist')));
const MiB = 1 << 20;
const HOST = '127.0.42.50';
const TLS_HOST = '127.0.42.51';
const RELAY_HOST = '127.0.42.52';

// ---------------------------------------------------------------- wire helpers (RFC 5246 / 8446 layouts)
const u24 = (n) => Buffer.from([n >> 16, (n >> 8) & 255, n & 255]);
const hsMsg = (type, body) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
const serverHello = () => hsMsg(2, Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32, 7), Buffer.from([0, 0x00, 0x2f, 0])]));
const certificate = (len) => hsMsg(11, Buffer.concat([u24(len + 3), u24(len), Buffer.alloc(len, 0x41)]));
const serverHelloDone = () => hsMsg(14, Buffer.alloc(0));

/** A stream cut into records of `size` bytes of type `type`. */
function records(stream, size, type = 22) {
  const out = Buffer.alloc(stream.length + 5 * Math.ceil(stream.length / size));
  let o = 0;
  for (let i = 0; i < stream.length; i += size) {
    const piece = stream.subarray(i, i + size);
    out.set([type, 3, 3, piece.length >> 8, piece.length & 255], o);
    out.set(piece, o + 5);
    o += 5 + piece.length;
  }
  return out;
}

// ---------------------------------------------------------------- patterns
/**
 * Plaintext handshake patterns: bytes the server sends after the ClientHello,
 * for a total of about `bytes` on the wire, and how it writes them.
 */
const PLAIN = {
  'one-byte records (handshake)': (bytes) => ({ data: records(Buffer.concat([serverHello(), certificate(Math.floor(bytes / 6) - 60), serverHelloDone()]), 1), write: 'once' }),
  'empty handshake records': (bytes) => ({ data: Buffer.concat([records(serverHello(), 16384), Buffer.alloc(Math.floor(bytes / 5) * 5).fill(Buffer.from([22, 3, 3, 0, 0]))]), write: 'once' }),
  'Certificate in one-byte TCP writes': (bytes) => ({ data: records(Buffer.concat([serverHello(), certificate(bytes - 200 - 5 * Math.ceil(bytes / 16384)), serverHelloDone()]), 16384), write: 'bytes' }),
};
/** Patterns after a TLS 1.3 handshake with s_server: records the relay seals with the server's key. */
const SEALED = {
  'one-byte TCP chunks of ordinary records': { write: 'bytes' },
  'NewSessionTicket flood (TLS 1.3)': { write: 'once' },
  'empty application-data records': { write: 'once' },
  'one-byte application-data records': { write: 'once' },
};
/** Plaintext dialog patterns read through Connection. */
const LINES = {
  'long line without LF (1 KiB writes)': (bytes) => ({ data: Buffer.concat([Buffer.alloc(bytes, 0x41), Buffer.from('\nEND\n')]), write: 'kib' }),
  'many short lines (20 bytes)': (bytes) => ({ data: Buffer.concat([Buffer.from('250-a short line xx\r\n'.repeat(Math.floor(bytes / 21))), Buffer.from('END\r\n')]), write: 'once' }),
  // The floor for one-byte segments: the lean socket reads them and drops them (no TLS, no Connection).
  'floor: one-byte TCP writes, read and dropped': (bytes) => ({ data: Buffer.alloc(bytes, 0x41), write: 'bytes', end: true }),
};

// ---------------------------------------------------------------- server child
async function waitForPort(host, port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((res) => {
      const s = connect(port, host, () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

async function writeAll(s, data, how) {
  s.setNoDelay(true);
  if (how === 'once') return void s.write(data);
  const step = how === 'kib' ? 1024 : 1;
  for (let i = 0, n = 0; i < data.length && !s.destroyed; i += step, n++) {
    // Wait for the kernel now and then: a million queued writes would only measure node's write queue.
    if (!s.write(data.subarray(i, i + step))) await new Promise((r) => s.once('drain', r));
    else if (n % 64 === 63) await new Promise((r) => setImmediate(r));
  }
}

function expandLabel(secret, label, length) {
  const full = Buffer.from(`tls13 ${label}`);
  const info = Buffer.concat([Buffer.from([0, length, full.length]), full, Buffer.from([0])]);
  return createHmac('sha256', secret).update(Buffer.concat([info, Buffer.from([1])])).digest().subarray(0, length);
}

/** TLS 1.3 AES-128-GCM records under `secret` from sequence 0: [innerType, content] pairs. */
function seal(secret, items) {
  const key = expandLabel(secret, 'key', 16);
  const iv = expandLabel(secret, 'iv', 12);
  const out = [];
  items.forEach(([type, content], seq) => {
    const nonce = Buffer.from(iv);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
    const header = Buffer.from([23, 3, 3, (content.length + 17) >> 8, (content.length + 17) & 255]);
    const c = createCipheriv('aes-128-gcm', key, nonce).setAAD(header);
    out.push(header, c.update(Buffer.concat([content, Buffer.from([type])])), c.final(), c.getAuthTag());
  });
  return Buffer.concat(out);
}

/** A connection's first server application traffic secret, once s_server logged it (it may do so after its Finished went out). */
async function serverSecret(keylog, clientRandom) {
  for (let i = 0; i < 500; i++) {
    const line = readFileSync(keylog, 'utf8').split('\n').find((l) => l.startsWith(`SERVER_TRAFFIC_SECRET_0 ${clientRandom} `));
    if (line) return Buffer.from(line.split(' ')[2], 'hex');
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`s_server logged no secret for client random ${clientRandom}`);
}

function sealedItems(name, bytes) {
  const end = [23, Buffer.from('END\r\n')];
  if (name.startsWith('empty')) return [...Array.from({ length: Math.floor(bytes / 22) }, () => [23, Buffer.alloc(0)]), end];
  if (name.startsWith('one-byte application')) {
    const text = Buffer.from(`${'x'.repeat(78)}\r\n`.repeat(Math.ceil(bytes / 23 / 80)));
    return [...Array.from({ length: text.length }, (_, i) => [23, text.subarray(i, i + 1)]), end];
  }
  if (name.startsWith('NewSessionTicket')) {
    const body = Buffer.concat([Buffer.from([0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 0, 0, 32]), Buffer.alloc(32, 9), Buffer.from([0, 0])]);
    const msg = hsMsg(4, body);
    return [...Array.from({ length: Math.floor(bytes / (msg.length + 22)) }, () => [22, msg]), end];
  }
  // Ordinary records: 16 KiB of 80-byte lines each.
  const content = Buffer.from(`${'x'.repeat(78)}\r\n`.repeat(204));
  return [...Array.from({ length: Math.floor(bytes / (content.length + 22)) }, () => [23, content]), end];
}

async function serve() {
  const dir = mkdtempSync(join(tmpdir(), 'wildtls-bench-hostile-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=localhost', '-days', '2'], { cwd: dir, stdio: 'ignore' });
  const keylog = join(dir, 'keylog.txt');
  // A port of its own per run: a previous run's s_server still exiting must not answer this one.
  const tlsPort = 20000 + Math.floor(Math.random() * 20000);
  const sServer = spawn('openssl', ['s_server', '-accept', `${TLS_HOST}:${tlsPort}`, '-cert', 'c.pem', '-key', 'k.pem', '-tls1_3', '-num_tickets', '0', '-ciphersuites', 'TLS_AES_128_GCM_SHA256', '-keylogfile', keylog, '-quiet'], { cwd: dir, stdio: ['pipe', 'ignore', 'ignore'] });
  // s_server goes with this process however it ends (an orphan would keep the address and answer the next run).
  process.on('exit', () => {
    sServer.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (err) => {
    console.error(err);
    process.exit(1);
  });
  await waitForPort(TLS_HOST, tlsPort);
  if (sServer.exitCode !== null) throw new Error(`s_server exited (${sServer.exitCode}): is ${TLS_HOST}:${tlsPort} taken?`);
  const ports = {};
  let job = { name: '', bytes: 0 };
  process.on('message', (m) => {
    job = m;
    process.send({ ready: true });
  });
  const listen = (host, onConn) =>
    new Promise((res) => {
      const srv = createServer((s) => {
        s.on('error', () => {});
        onConn(s);
      });
      srv.listen(0, host, () => res(srv.address().port));
    });
  ports.plain = await listen(HOST, (s) => s.once('data', () => {
    const { data, write } = PLAIN[job.name](job.bytes);
    void writeAll(s, data, write);
  }));
  ports.lines = await listen(HOST, (s) => {
    const { data, write, end } = LINES[job.name](job.bytes);
    void writeAll(s, data, write).then(() => end && s.end());
  });
  ports.relay = await listen(RELAY_HOST, (c) => {
    const up = connect(tlsPort, TLS_HOST);
    up.on('error', () => {});
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
    up.pipe(c);
    // The client's second encrypted record (after its Finished) is its first application data: inject then.
    let pending = Buffer.alloc(0);
    let encrypted = 0;
    let clientRandom = '';
    c.on('data', (d) => {
      up.write(d);
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt16BE(3)) {
        // The ClientHello's random names this connection's secrets in the key log.
        if (pending[0] === 22 && !clientRandom) clientRandom = pending.subarray(11, 43).toString('hex');
        if (pending[0] === 23 && ++encrypted === 2) {
          up.unpipe(c);
          void serverSecret(keylog, clientRandom).then((secret) => writeAll(c, seal(secret, sealedItems(job.name, job.bytes)), SEALED[job.name].write));
        }
        pending = pending.subarray(5 + pending.readUInt16BE(3));
      }
    });
  });
  process.send({ ports });
}

// ---------------------------------------------------------------- client
async function client() {
  const core = await import(pathToFileURL(join(CORE, 'index.js')).href);
  const { runProbe, RawTlsEngine, resolveProfile, silentLogger, dialTcp } = core;
  const sizes = opt('--sizes', argv.includes('--quick') ? '1' : '1,4').split(',').map(Number);
  const reps = Number(opt('--reps', argv.includes('--quick') ? 1 : 3));
  const only = opt('--only', '').split(',').filter(Boolean);
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: 'inherit' });
  const { ports } = await new Promise((res) => child.once('message', res));
  const lifted = { maxMessageBytes: 64 * MiB, maxHandshakeRecords: Infinity, maxCertificates: Infinity, maxIdleRecords: Infinity, maxPostHandshakeMessages: Infinity, maxSmallRecords: Infinity };
  const settings = (caps) => ({
    timeouts: { connectMs: 2000, readMs: 20_000, probeMs: 120_000 },
    maxLineBytes: caps === 'lifted' ? 64 * MiB : 8192,
    maxTotalBytes: caps === 'lifted' ? 64 * MiB : MiB,
    observeOnly: true,
    sni: false,
    connectRetries: 0,
  });
  const tlsService = (afterHandshake) => ({
    name: 'bench',
    defaultPort: 1,
    mode: 'implicit',
    dialog: async (ctx) => {
      if (afterHandshake) {
        await ctx.conn.write('go\r\n');
        while ((await ctx.conn.readLine()) !== 'END');
      }
    },
  });
  const lineService = {
    name: 'bench',
    defaultPort: 1,
    mode: 'starttls',
    dialog: async (ctx) => {
      while ((await ctx.conn.readLine()) !== 'END');
    },
  };
  const cases = [
    ...Object.keys(PLAIN).map((name) => ({ name, port: ports.plain, host: HOST, spec: tlsService(false), profile: 'compat' })),
    ...Object.keys(SEALED).map((name) => ({ name, port: ports.relay, host: RELAY_HOST, spec: tlsService(true), profile: 'modern', completed: true })),
    ...Object.keys(LINES).map((name) => ({ name, port: ports.lines, host: HOST, spec: lineService, profile: 'modern', floor: name.startsWith('floor') })),
  ].filter((c) => only.length === 0 || only.some((o) => c.name.startsWith(o)));
  const capsModes = opt('--core', '') ? ['lifted'] : ['lifted', 'default'];

  const once = async (c, caps, bytes) => {
    await new Promise((res) => {
      child.once('message', res);
      child.send({ name: c.name, bytes });
    });
    globalThis.gc?.();
    const engine = new RawTlsEngine(caps === 'lifted' ? { limits: lifted } : {});
    const s = { ...settings(caps), ladder: [resolveProfile(c.profile)], observeOnly: !c.completed };
    if (c.floor) {
      if (caps !== 'lifted') return undefined;
      const t0 = process.cpuUsage();
      const socket = await dialTcp(c.host, c.port, { timeoutMs: 2000 });
      await new Promise((res) => {
        socket.on('data', () => {});
        socket.on('close', res);
        socket.resume();
      });
      const cpu = process.cpuUsage(t0);
      return { ms: (cpu.user + cpu.system) / 1000, sys: cpu.system / 1000, outcome: 'read to the end' };
    }
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    const r = await runProbe({ target: { ip: c.host, port: c.port, service: 'bench' }, protocolId: 'bench', spec: c.spec, options: {} }, engine, s, silentLogger());
    const cpu = process.cpuUsage(t0);
    const outcome = r.status === 'success' ? 'success' : `${r.status}/${r.error?.reason ?? r.tls?.error?.kind}: ${(r.tls?.error?.message ?? r.error?.message ?? '').slice(0, 70)}`;
    // Let the socket close (runProbe destroys it 200 ms later) before the next probe.
    await new Promise((res) => setTimeout(res, 250));
    return { ms: (cpu.user + cpu.system) / 1000, sys: cpu.system / 1000, wall: performance.now() - w0, outcome };
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, core: ${CORE}`);
  console.log(`one probe at a time; client CPU = median of ${reps} runs (process.cpuUsage user+sys) after one warm-up\n`);
  console.log('| pattern | caps | MiB sent | outcome | client CPU, ms (of it in the kernel) | ms per MiB sent | x the smallest size |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const caps of capsModes) {
    for (const c of cases) {
      if (!(await once(c, caps, sizes[0] * MiB))) continue;
      let base;
      for (const size of sizes) {
        const runs = [];
        for (let i = 0; i < reps; i++) runs.push(await once(c, caps, size * MiB));
        const ms = median(runs.map((x) => x.ms));
        const sys = median(runs.map((x) => x.sys));
        base ??= ms;
        // Every distinct outcome of the runs: they should agree.
        const outcomes = [...new Set(runs.map((x) => x.outcome))].join(' / ');
        console.log(`| ${c.name} | ${caps} | ${size} | ${outcomes} | ${ms.toFixed(1)} (${sys.toFixed(1)}) | ${(ms / size).toFixed(1)} | ${(ms / base).toFixed(2)} |`);
      }
    }
  }
  const exited = new Promise((res) => child.once('exit', res));
  child.disconnect();
  await exited;
  if (!argv.includes('--no-dh')) await dhTable();
}

// ---------------------------------------------------------------- DHE cost
async function dhTable() {
  const { dheExchange } = await import(pathToFileURL(join(CORE, 'tls/key-exchange.js')).href);
  let longG;
  try {
    ({ dheLongGeneratorExchange: longG } = await import(pathToFileURL(join(CORE, 'tls/dhe-long-generator.js')).href));
  } catch {
    longG = undefined;
  }
  const groups = [['modp2', 1024], ['modp14', 2048], ['modp15', 3072], ['modp16', 4096], ['modp17', 6144], ['modp18', 8192]];
  const cpu = (f) => {
    const t = process.cpuUsage();
    f();
    const c = process.cpuUsage(t);
    return (c.user + c.system) / 1000;
  };
  const reps = Number(opt('--dh-reps', 3));
  const med = (f) => [...Array.from({ length: reps }, () => cpu(f))].sort((a, b) => a - b)[Math.floor(reps / 2)];
  console.log('\nDHE key agreement, client CPU per handshake (ms, median of', reps, 'runs): our key pair + shared secret');
  console.log('| prime bits | dheExchange, g = 2 (OpenSSL knows the group) | dheExchange, g = 5 (unknown group) | long generator (p - 2), dhe-long-generator | createDiffieHellman(p, p - 2): the primality test avoided |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, bits] of groups) {
    const dh = getDiffieHellman(name);
    const p = dh.getPrime();
    const g = Buffer.from(p);
    g[g.length - 1] -= 2;
    // A server's public value in the group's subgroup (OpenSSL checks that for a group it knows).
    const ys = dh.generateKeys();
    const named = med(() => dheExchange(p, Buffer.from([2]), ys));
    const unknown = med(() => dheExchange(p, Buffer.from([5]), ys));
    const long = longG ? med(() => longG(p, g, ys)).toFixed(1) : '-';
    // Only where it ends in reasonable time: the test of a 3072-bit prime alone took 1.8 s.
    const check = bits <= 2048 ? cpu(() => createDiffieHellman(p, g)).toFixed(1) : 'not run (seconds to minutes)';
    console.log(`| ${bits} | ${named.toFixed(1)} | ${unknown.toFixed(1)} | ${long} | ${check} |`);
  }
}

if (argv.includes('--server')) await serve();
else await client();
