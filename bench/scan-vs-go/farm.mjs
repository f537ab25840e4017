/**
 * The loopback endpoints of the scan benchmark, each started here and stopped
 * by its pid: nginx (one listener per address and port, TLS 1.2 and 1.3, a
 * 3-certificate ECDSA P-256 chain), the Go SMTP server with STARTTLS (same
 * chain), and the hold server of the memory figure (hold-server.mjs).
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateChain } from '@wildtls/core/testing';

/** 127.0.50.1 ... 127.0.50.254 and the like. */
export const addresses = (net) => Array.from({ length: 254 }, (_, i) => `${net}.${i + 1}`);
export const range = (first, n) => Array.from({ length: n }, (_, i) => first + i);

/** Leaf, intermediate and root (ECDSA P-256): the chain both servers send, all three certificates. */
export async function writeChain(dir) {
  const c = await certificateChain({ keyType: 'ec' });
  const chain = join(dir, 'chain.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(chain, [c.leaf, c.intermediate, c.root].map((x) => x.certPem.trim() + '\n').join(''));
  writeFileSync(key, c.leaf.keyPem);
  return { chain, key };
}

/** A child we started, stopped by its pid: SIGTERM, then SIGKILL after 5 s. */
function owned(name, child) {
  let exited = false;
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)));
  const gone = new Promise((r) => child.once('exit', () => r((exited = true))));
  return {
    name,
    pid: child.pid,
    child,
    output: () => output,
    alive: () => !exited,
    async stop() {
      if (exited) return;
      process.kill(child.pid, 'SIGTERM');
      const t = setTimeout(() => !exited && process.kill(child.pid, 'SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

export async function waitPort(host, port, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((r) => {
      const s = connect({ host, port }, () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** nginx with `workers` worker processes, one listener per host and port. */
export async function startNginx(dir, { hosts, ports, chain, key, workers }) {
  const listens = hosts.flatMap((h) => ports.map((p) => `    listen ${h}:${p} ssl;`)).join('\n');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log crit;
worker_rlimit_nofile ${hosts.length * ports.length + 16000};
events { worker_connections ${hosts.length * ports.length + 8000}; }
http {
  access_log off;
  client_body_temp_path ${dir}/t; proxy_temp_path ${dir}/t; fastcgi_temp_path ${dir}/t; uwsgi_temp_path ${dir}/t; scgi_temp_path ${dir}/t;
  server {
${listens}
    ssl_certificate ${chain}; ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets off;
    location / { return 200 "ok\\n"; }
  }
}
`);
  const d = owned('nginx', spawn('/usr/sbin/nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'nginx-error.log')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await ready(d, hosts, ports);
  return d;
}

export function buildGo(name, outDir) {
  const bin = join(outDir, name);
  // GOPATH mode: the folder is the package, no go.mod needed.
  execFileSync('go', ['build', '-o', bin, '.'], { cwd: fileURLToPath(new URL(`../${name}/`, import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GO111MODULE: 'off' } });
  return bin;
}

/** The Go SMTP server (bench/go-smtp-server) on every host and port. */
export async function startSmtp(bin, { hosts, ports, chain, key }) {
  const d = owned('go-smtp-server', spawn(bin, ['-hosts', hosts.join(','), '-ports', ports.join(','), '-cert', chain, '-key', key], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await ready(d, hosts, ports);
  return d;
}

/** The hold server (hold-server.mjs): accepts, sends an SMTP banner on bannerPorts, then stays silent. */
export async function startHold({ hosts, bannerPorts, silentPorts }) {
  const child = fork(fileURLToPath(new URL('./hold-server.mjs', import.meta.url)), [hosts.join(','), bannerPorts.join(','), silentPorts.join(',')], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const d = owned('hold-server', child);
  await ready(d, hosts, [...bannerPorts, ...silentPorts]);
  /** Connections the server holds open now. */
  d.open = () =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m.open));
      child.send('count');
    });
  return d;
}

async function ready(d, hosts, ports) {
  try {
    for (const [h, p] of [[hosts[0], ports[0]], [hosts.at(-1), ports.at(-1)]]) await waitPort(h, p);
  } catch (e) {
    await d.stop();
    throw new Error(`${d.name} did not start: ${e.message}\n${d.output()}`);
  }
}
