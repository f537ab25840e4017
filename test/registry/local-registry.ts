import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { startForeground, whenListening, type Daemon } from '../harness/daemon.js';
import { ROOT } from '../cli/run-cli.js';

/**
 * A verdaccio registry on loopback for the publishing tests: its own config,
 * storage and htpasswd in a temporary folder, stopped by pid.
 *
 * Our scopes (@wildtls, @wildtls-test) are served only from what the tests
 * publish: no uplink, so a same-named package on the public registry can never
 * stand in for ours. Every other name (oclif, pino, ...: what the published
 * packages depend on) is proxied to the registry npm is configured with on this
 * machine: a package registry, which the machines and CI reach, and the only
 * place a fresh clone could get those packages from: npm's cache holds
 * tarballs but not the package documents npm resolves a new project against.
 */

export const HOST = '127.0.66.1';
const VERDACCIO = resolve(ROOT, 'node_modules/verdaccio/bin/verdaccio');

export interface LocalRegistry {
  url: string;
  /** An npm userconfig holding a token of a user created for this run (publish rights). */
  userconfig: string;
  daemon: Daemon;
}

/** A free TCP port on HOST. */
export function freePortOn(host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePromise(port));
    });
  });
}

/** The environment without npm's variables (a vitest started by npm carries npm_config_*), plus ours. */
export function npmEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false', ...extra };
}

/** The registry npm uses on this machine (the uplink), asked of npm itself outside any project. */
function machineRegistry(cwd: string): string {
  const r = spawnSync('npm', ['config', 'get', 'registry'], { cwd, env: npmEnv({}), encoding: 'utf8', timeout: 30_000 });
  const url = r.stdout.trim();
  if (r.status !== 0 || !/^https?:\/\//.test(url)) throw new Error(`npm config get registry failed: ${r.stderr}`);
  return url;
}

export async function startRegistry(dir: string): Promise<LocalRegistry> {
  const port = await freePortOn(HOST);
  mkdirSync(join(dir, 'storage'));
  const config = join(dir, 'config.yaml');
  const own = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  writeFileSync(
    config,
    JSON.stringify({
      storage: join(dir, 'storage'),
      auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 10 } },
      uplinks: { upstream: { url: machineRegistry(dir), timeout: '60s', max_fails: 5 } },
      packages: {
        '@wildtls/*': own,
        '@wildtls-test/*': own,
        '**': { access: '$all', publish: '$authenticated', proxy: 'upstream' },
      },
      // Published packages are ~MBs with the CLI's templates; verdaccio's default body limit is 10 MB.
      max_body_size: '100mb',
      web: { enable: false },
      log: { type: 'stdout', format: 'pretty', level: 'warn' },
    }),
  );
  const d = startForeground(process.execPath, [VERDACCIO, '--config', config, '--listen', `${HOST}:${port}`], { cwd: dir });
  const daemon = await whenListening('verdaccio', d, dir, [[HOST, port]], 30_000);
  const url = `http://${HOST}:${port}/`;
  // A user of this run only (htpasswd in the temp folder): verdaccio registers it and returns its token.
  const res = await fetch(`${url}-/user/org.couchdb.user:tester`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tester', password: 'tester-pass-1', type: 'user', roles: [], date: new Date().toISOString() }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token) {
    await daemon.stop();
    throw new Error(`verdaccio refused the test user: ${res.status} ${JSON.stringify(body)}`);
  }
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, `//${HOST}:${port}/:_authToken=${body.token}\n`);
  return { url, userconfig, daemon };
}
