import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../harness/daemon.js';
import { ROOT } from '../cli/run-cli.js';
import { ok, run } from '../authoring/plugin-workspace.js';
import { npmEnv } from './local-registry.js';
import { copyWorkspace } from './workspace-copy.js';

/*
 * What each workspace package would publish (`npm pack --dry-run`, the file
 * list npm publish and lerna publish send) and the package.json fields a
 * registry user depends on.
 */

interface Packed {
  name: string;
  version: string;
  files: Array<{ path: string }>;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  types?: string;
  exports?: Record<string, unknown>;
  engines?: { node?: string };
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  wildtlsBundle?: { entries: Record<string, string> };
}

let packed: Packed[];
const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
let work: string;
let dirs: Map<string, string>;

beforeAll(async () => {
  // Packed from a copy of the workspace (the checkout's build): see workspace-copy.ts.
  work = tempDir('pack');
  mkdirSync(join(work, 'workspace'));
  dirs = copyWorkspace(join(work, 'workspace'));
  const r = ok(await run('npm', ['pack', '--dry-run', '--json', '-ws'], { cwd: join(work, 'workspace'), timeoutMs: 120_000, env: npmEnv({}) }), 'npm pack --dry-run');
  packed = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Packed[];
}, 130_000);

afterAll(() => {
  if (work) removeDir(work);
});

const manifest = (name: string) => JSON.parse(readFileSync(join(dirs.get(name)!, 'package.json'), 'utf8')) as Manifest;

describe('npm pack --dry-run of every workspace package', () => {
  it('packs every workspace (core, cli and each plugin)', () => {
    const names = packed.map((p) => p.name).sort();
    expect(names).toEqual([...dirs.keys()].sort());
    expect(names).toContain('@wildtls/core');
    expect(names).toContain('@wildtls/cli');
    // Everything else is a plugin, from plugins/*.
    for (const n of names.filter((n) => n !== '@wildtls/core' && n !== '@wildtls/cli')) {
      expect(n).toMatch(/^@wildtls\/(protocol|analysis)-/);
      expect(dirs.get(n)).toBe(join(work, 'workspace', 'plugins', n.slice('@wildtls/'.length)));
    }
    expect(workspaces).toContain('plugins/*');
  });

  it('ships dist/index.js, its types, the README and package.json; no tests, sources, source maps or build info', () => {
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      const m = manifest(p.name);
      expect(files, p.name).toContain('dist/index.js');
      expect(files, p.name).toContain(m.types!.replace(/^\.\//, ''));
      expect(files, p.name).toContain('README.md');
      expect(files, p.name).toContain('package.json');
      // The CLI ships the plugin templates, whose test files are part of the scaffold (intended).
      const own = files.filter((f) => !(p.name === '@wildtls/cli' && f.startsWith('templates/')));
      expect(own.filter((f) => /(^|\/)(test|tests|__tests__)\/|\.test\.[cm]?[jt]s$/.test(f)), p.name).toEqual([]);
      expect(own.filter((f) => /^src\/|\.map$|\.tsbuildinfo$|(^|\/)tsconfig[^/]*\.json$/.test(f)), p.name).toEqual([]);
    }
    const cli = packed.find((p) => p.name === '@wildtls/cli')!.files.map((f) => f.path);
    expect(cli).toContain('bin/run.js');
    // bin/run.js checks the bundles through core's ./bundle export (a no-op in an install: no src/).
    const core = packed.find((p) => p.name === '@wildtls/core')!.files.map((f) => f.path);
    expect(core).toEqual(expect.arrayContaining(['scripts/bundle.mjs', 'scripts/bundle-fingerprint.mjs', 'scripts/bundle.d.mts']));
    // oclif's manifest (current for the build: prepack checks), so the installed CLI imports only the command run.
    expect(cli).toContain('oclif.manifest.json');
    expect(cli).toContain('templates/analysis-plugin/package.json');
    expect(cli).toContain('templates/protocol-plugin/package.json');
  });

  it('core and every plugin ship each bundled entry with the fingerprint of the dist/ it was made from, no temporary files', () => {
    for (const p of packed.filter((x) => x.name !== '@wildtls/cli')) {
      const files = p.files.map((f) => f.path);
      const entries = Object.keys(manifest(p.name).wildtlsBundle?.entries ?? {});
      expect(entries, p.name).toContain('index');
      for (const e of entries) expect(files, p.name).toContain(`bundle/${e}.js`);
      expect(files, p.name).toContain('bundle/dist-fingerprint.txt');
      expect(files.filter((f) => f.endsWith('.tmp')), p.name).toEqual([]);
    }
  });

  it('declares exports, types, engines (node >=20.12) and public access', () => {
    for (const name of dirs.keys()) {
      const m = manifest(name);
      expect(m.private, name).toBeUndefined();
      // Core and the built-in plugins are imported as their bundles (packages/core/scripts/bundle.mjs), the CLI per file.
      expect(m.exports?.['.'], name).toMatchObject({ types: m.types, default: m.wildtlsBundle ? './bundle/index.js' : './dist/index.js' });
      expect(m.engines?.node, name).toBe('>=20.12');
      expect(m.publishConfig?.access, name).toBe('public');
    }
  });

  it('plugins take @wildtls/core as a peer (a range the current core satisfies) and build against it as a devDependency', () => {
    const core = manifest('@wildtls/core').version;
    for (const name of [...dirs.keys()].filter((n) => /^@wildtls\/(protocol|analysis)-/.test(n))) {
      const m = manifest(name);
      const peer = m.peerDependencies?.['@wildtls/core'];
      expect(peer, name).toBeDefined();
      expect(semver.satisfies(core, peer!), `${name}: ${peer} vs ${core}`).toBe(true);
      expect(m.devDependencies?.['@wildtls/core'], name).toBe(peer);
      // A plugin never bundles its own core: one core per process, the CLI's.
      expect(m.dependencies?.['@wildtls/core'], name).toBeUndefined();
    }
    // The CLI depends on core and every built-in plugin at the versions in this checkout.
    const cli = manifest('@wildtls/cli');
    for (const name of [...dirs.keys()].filter((n) => n !== '@wildtls/cli')) {
      expect(semver.satisfies(manifest(name).version, cli.dependencies?.[name] ?? 'none'), name).toBe(true);
    }
  });
});
