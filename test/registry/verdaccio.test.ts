import { lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '@wildtls/core/testing';
import { removeDir, tempDir } from '../harness/daemon.js';
import { runCli } from '../cli/run-cli.js';
import { linkDevDependencies, ok, run } from '../authoring/plugin-workspace.js';
import { HOST, freePortOn, npmEnv, startRegistry, type LocalRegistry } from './local-registry.js';
import { copyWorkspace } from './workspace-copy.js';
import { listenOn } from '../harness/listen.js';

/*
 * The packages install from a registry, as a user gets them: every workspace
 * package is published (`npm publish -ws`, what lerna publish from-package
 * does) to a verdaccio on loopback, with a third-party analysis plugin made
 * by `wildtls plugins new analysis`; an empty project then installs
 * @wildtls/cli by name, `wildtls plugins add` fetches the third-party plugin
 * by name from the registry of the project's .npmrc and registers it, and the
 * installed CLI scans a TLS server on loopback and runs the plugin's analysis.
 */

const THIRD = '@wildtls-test/wildtls-analysis-tls-seen';
const WORKSPACES = [
  '@wildtls/core', '@wildtls/cli',
  '@wildtls/analysis-ca-practice', '@wildtls/analysis-crypto', '@wildtls/analysis-reuse', '@wildtls/analysis-sasl', '@wildtls/analysis-smtp-policy', '@wildtls/analysis-starttls',
  '@wildtls/protocol-https', '@wildtls/protocol-imap', '@wildtls/protocol-irc', '@wildtls/protocol-pop3', '@wildtls/protocol-smtp', '@wildtls/protocol-tls', '@wildtls/protocol-xmpp',
];

let work: string;
let registry: LocalRegistry;
let project: string;
let tlsServer: Server | undefined;
let tlsPort: number;

/** The CLI installed in the project, run there as its user would (npx wildtls). */
const wildtls = (args: string[]) =>
  run(process.execPath, [join(project, 'node_modules/@wildtls/cli/bin/run.js'), ...args], { cwd: project, timeoutMs: 300_000, env: npmEnv({ npm_config_userconfig: join(work, 'user-npmrc') }) });

const packument = async (name: string) => {
  const res = await fetch(`${registry.url}${name.replace('/', '%2f')}`, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: res.ok ? ((await res.json()) as { 'dist-tags': Record<string, string>; versions: Record<string, unknown> }) : undefined };
};

beforeAll(async () => {
  work = tempDir('registry');
  mkdirSync(join(work, 'verdaccio'));
  registry = await startRegistry(join(work, 'verdaccio'));
  // The project user's npm config: empty (no token, no registry): the project's .npmrc names the registry.
  writeFileSync(join(work, 'user-npmrc'), '');
  const cert = await selfSignedCertificate({ commonName: 'registry-test.invalid', keyType: 'ec' });
  tlsPort = await freePortOn(HOST);
  // A bare TLS server: the scan's target (protocol-tls completes a handshake and records it).
  tlsServer = createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end());
  await listenOn(tlsServer!, tlsPort, HOST);
});

afterAll(async () => {
  tlsServer?.close();
  await registry?.daemon.stop();
  if (work) removeDir(work);
});

describe('publishing to and installing from a registry (verdaccio on loopback)', () => {
  it('publishes @wildtls/core, @wildtls/cli and every plugin with npm publish -ws', async () => {
    // From a copy of the workspace (the checkout's build): see workspace-copy.ts.
    const copy = join(work, 'workspace');
    mkdirSync(copy);
    const dirs = copyWorkspace(copy);
    expect([...dirs.keys()].sort()).toEqual([...WORKSPACES].sort());
    const r = await run('npm', ['publish', '-ws', '--registry', registry.url, '--userconfig', registry.userconfig], { cwd: copy, timeoutMs: 300_000, env: npmEnv({}) });
    expect(r.code, `${r.stdout}\n${r.stderr}\n${registry.daemon.output()}`).toBe(0);
    for (const name of WORKSPACES) {
      const version = (JSON.parse(readFileSync(join(dirs.get(name)!, 'package.json'), 'utf8')) as { version: string }).version;
      const { status, body } = await packument(name);
      expect(status, name).toBe(200);
      expect(body!['dist-tags'].latest, name).toBe(version);
    }
  }, 320_000);

  it('publishes a third-party analysis plugin made with `wildtls plugins new analysis`', async () => {
    const dir = join(work, 'tls-seen');
    const made = await runCli(['plugins', 'new', 'analysis', 'tls-seen', '--package', THIRD, '--dir', dir], { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    linkDevDependencies(dir);
    // prepublishOnly builds and runs the plugin's own tests, as for its author.
    ok(await run('npm', ['publish', '--registry', registry.url, '--userconfig', registry.userconfig], { cwd: dir, timeoutMs: 300_000, env: npmEnv({}) }), 'npm publish (third party)');
    const { status, body } = await packument(THIRD);
    expect(status).toBe(200);
    expect(body!['dist-tags'].latest).toBe('0.1.0');
    // What it shipped: its build and README, no sources, tests or source maps.
    const pack = ok(await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, env: npmEnv({}) }), 'npm pack --dry-run (third party)');
    const files = (JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'README.md', 'package.json']));
    expect(files.filter((f) => /\.map$|^src\/|^test\//.test(f))).toEqual([]);
  }, 320_000);

  it('installs @wildtls/cli by name into an empty project', async () => {
    project = join(work, 'lab');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'lab', version: '1.0.0', private: true }, null, 2));
    const r = await run('npm', ['install', '@wildtls/cli', '--registry', registry.url, '--userconfig', join(work, 'user-npmrc'), '--prefer-offline'], { cwd: project, timeoutMs: 600_000, env: npmEnv({}) });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    // Real copies from the registry, not links into this checkout.
    for (const name of ['@wildtls/cli', '@wildtls/core', '@wildtls/protocol-tls']) {
      expect(lstatSync(join(project, 'node_modules', name)).isSymbolicLink(), name).toBe(false);
    }
    // The very tarballs published above (npm's lock here records no `resolved` URL, only the integrity).
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; integrity?: string; link?: boolean }> };
    for (const name of WORKSPACES) {
      const entry = lock.packages[`node_modules/${name}`];
      const published = (await packument(name)).body!.versions['0.1.0'] as { dist: { integrity: string } };
      expect(entry, name).toMatchObject({ version: '0.1.0', integrity: published.dist.integrity });
      expect(entry!.link, name).toBeUndefined();
    }
    // oclif's manifest came in the tarball and matches the installed files: the CLI never has to rewrite it.
    const cliDir = join(project, 'node_modules/@wildtls/cli');
    const { manifestIsCurrent } = (await import(pathToFileURL(join(cliDir, 'dist/oclif-manifest.js')).href)) as { manifestIsCurrent: (dir: string) => boolean };
    expect(manifestIsCurrent(cliDir)).toBe(true);
  }, 620_000);

  it('`wildtls plugins add NAME` installs the third-party plugin from the .npmrc registry and registers it', async () => {
    writeFileSync(join(project, '.npmrc'), `registry=${registry.url}\n`);
    const r = await wildtls(['plugins', 'add', THIRD]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`installing ${THIRD} with npm in ${project}`);
    expect(r.stdout).toContain(`added ${THIRD} to ${join(project, 'wildtls.config.yaml')}: analysis plugin "tls-seen" 0.1.0`);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies[THIRD]).toBe('^0.1.0');
    // The built-ins are written before it: naming only the new plugin would drop them.
    const config = readFileSync(join(project, 'wildtls.config.yaml'), 'utf8');
    expect(config).toMatch(new RegExp(`  - "?@wildtls/protocol-tls"?\\n[\\s\\S]*  - "?${THIRD}"?\\n`));
    const listed = await wildtls(['plugins']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/tls-seen\s+analysis\s+0\.1\.0\s+\^1\.0\.0\s+node_modules/);
    // Installed: a second add finds it and fetches nothing.
    const again = await wildtls(['plugins', 'add', THIRD]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('installing');
    expect(again.stdout).toContain('is already in the plugins list');
    // A name the registry does not have: npm's error, a coded one-line failure, the config untouched.
    const missing = await wildtls(['plugins', 'add', '@wildtls-test/no-such-plugin', '--registry', registry.url]);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toContain(`installing @wildtls-test/no-such-plugin with npm in ${project} from ${registry.url}`);
    expect(missing.stderr).toContain('could not install @wildtls-test/no-such-plugin');
    expect(missing.stderr).toContain('WILDTLS_ERR_PLUGIN_NOT_FOUND');
    expect(missing.stderr).toMatch(/E404|404/);
    expect(readFileSync(join(project, 'wildtls.config.yaml'), 'utf8')).toBe(config);
  }, 320_000);

  it('the installed CLI scans a loopback TLS server and the plugin analyses the results', async () => {
    const out = join(project, 'results.jsonl');
    const scan = await wildtls(['scan', HOST, '--protocol', 'tls', '--port', String(tlsPort), '--allow', `${HOST}/32`, '-o', out]);
    expect(scan.code, `${scan.stdout}\n${scan.stderr}`).toBe(0);
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { ip: string; port: number; service: string; status: string; tls?: { completed?: boolean } });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ ip: HOST, port: tlsPort, service: 'tls', status: 'success', tls: { completed: true } });
    const a = await wildtls(['analyze', out, '--analysis', 'tls-seen', '--format', 'json']);
    expect(a.code, a.stderr).toBe(0);
    const report = (JSON.parse(a.stdout) as Record<string, { analysis: { id: string; version: string }; totals: unknown; tables: Array<{ id: string; rows: unknown[] }> }>)['tls-seen']!;
    expect(report.analysis).toEqual({ id: 'tls-seen', version: '0.1.0' });
    expect(report.totals).toEqual({ records: 1, servers: 1 });
    expect(report.tables[0]!.rows).toEqual([{ service: 'tls', servers: 1, tlsCompleted: 1, share: 1 }]);
  }, 320_000);
});
