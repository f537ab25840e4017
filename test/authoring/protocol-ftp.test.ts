import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type TestCertificate } from '@wildtls/core/testing';
import { removeDir, startForeground, tempDir, waitForPort, type Daemon } from '../harness/daemon.js';
import { DAEMONS, requireBinary } from '../harness/require-binary.js';
import { runCli } from '../cli/run-cli.js';
import { EXAMPLES, NPM, applyExample, freePort, linkDevDependencies, listFiles, ok, readJson, run } from './plugin-workspace.js';

/*
 * The protocol half of the authoring proof: `wildtls plugins new protocol ftp`
 * into a folder outside plugins/, the author's edits (the finished example in
 * docs/examples/protocol-ftp) written over the scaffold's src/ and test/, the
 * package built and tested with its own scripts, then real vsftpd on
 * 127.0.0.1 scanned through the normal CLI with the plugin named by path in
 * the YAML config.
 */

const VSFTPD = DAEMONS.vsftpd.path;
const EXAMPLE = join(EXAMPLES, 'protocol-ftp');
const FEATURES = ['AUTH TLS', 'EPRT', 'MDTM', 'PBSZ', 'PROT', 'REST STREAM', 'SIZE', 'TVFS'];

let work: string;
let pluginDir: string;
let cert: TestCertificate;
const daemons: Daemon[] = [];

/** vsftpd from its own config in `work`, in the foreground (background=NO), stopped by pid. */
async function startVsftpd(name: string, tls: boolean): Promise<number> {
  const port = await freePort();
  const dir = join(work, name);
  mkdirSync(join(dir, 'empty'), { recursive: true, mode: 0o755 });
  const conf = join(dir, 'vsftpd.conf');
  writeFileSync(conf, [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    // vsftpd refuses to start with both login kinds off; nobody logs in: the probe never sends USER.
    'local_enable=YES',
    'anonymous_enable=NO',
    'pasv_enable=NO',
    'xferlog_enable=NO',
    'seccomp_sandbox=NO',
    `secure_chroot_dir=${join(dir, 'empty')}`,
    ...(tls ? ['ssl_enable=YES', `rsa_cert_file=${join(work, 'cert.pem')}`, `rsa_private_key_file=${join(work, 'key.pem')}`, 'ssl_ciphers=HIGH'] : ['ssl_enable=NO']),
    '',
  ].join('\n'), { mode: 0o600 });
  const d = startForeground(VSFTPD, [conf]);
  daemons.push(d);
  await waitForPort('127.0.0.1', port).catch((err) => {
    throw new Error(`${(err as Error).message}\nvsftpd said: ${d.output()}`);
  });
  return port;
}

const ready = requireBinary(VSFTPD, DAEMONS.vsftpd.pkg);

beforeAll(async () => {
  if (!ready) return;
  work = tempDir('authoring-ftp');
  pluginDir = join(work, 'wildtls-protocol-ftp');
  cert = await selfSignedCertificate({ commonName: 'ftp.wildtls.test' });
  writeFileSync(join(work, 'cert.pem'), cert.certPem);
  writeFileSync(join(work, 'key.pem'), cert.keyPem, { mode: 0o600 });
});

afterAll(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  if (work) removeDir(work);
});

describe.runIf(ready)('a protocol plugin built from the template (FTP AUTH TLS)', () => {
  it('is scaffolded by `wildtls plugins new` with the structure of the finished example', async () => {
    const r = await runCli(['plugins', 'new', 'protocol', 'ftp', '--port', '21', '--dir', pluginDir], { cwd: work });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`created wildtls-protocol-ftp in ${pluginDir}`);
    expect(r.stdout).toContain('npm run build && npm test');
    // The example is the scaffold plus the author's edits: same package.json and
    // tsconfig (only the core link differs), every scaffolded file still there.
    const scaffolded = listFiles(pluginDir);
    expect(scaffolded).toEqual(['.gitignore', 'README.md', 'package.json', 'src/dialog.ts', 'src/index.ts', 'test/dialog.test.ts', 'tsconfig.json']);
    for (const f of scaffolded) expect(listFiles(EXAMPLE)).toContain(f);
    const pkg = readJson(join(pluginDir, 'package.json'));
    expect(pkg.devDependencies['@wildtls/core']).toMatch(/^file:\/.*packages\/core$/);
    expect({ ...pkg, devDependencies: { ...pkg.devDependencies, '@wildtls/core': '^0.1.0' } }).toEqual(readJson(join(EXAMPLE, 'package.json')));
    expect(readFileSync(join(pluginDir, 'tsconfig.json'), 'utf8')).toBe(readFileSync(join(EXAMPLE, 'tsconfig.json'), 'utf8'));
  });

  it('builds and passes its own transcript tests once the dialog is filled in', async () => {
    applyExample(pluginDir, EXAMPLE);
    linkDevDependencies(pluginDir);
    ok(await run(NPM, ['run', 'build'], { cwd: pluginDir }), 'npm run build');
    const t = ok(await run(NPM, ['test'], { cwd: pluginDir }), 'npm test');
    expect(t.stdout).toMatch(/Tests\s+13 passed/);
  }, 180_000);

  it('scans real vsftpd through the CLI: AUTH TLS offered, upgraded, the generated certificate, FEAT before and after', async () => {
    const port = await startVsftpd('tls', true);
    const config = join(work, 'wildtls.config.yaml');
    writeFileSync(config, ['# the plugin named by path, relative to this file', 'plugins:', '  - ./wildtls-protocol-ftp', ''].join('\n'));
    const r = await runCli(['scan', '127.0.0.1', '--protocol', 'ftp', '--port', String(port), '--allow', '127.0.0.0/8', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]!);
    expect(rec).toMatchObject({
      ip: '127.0.0.1',
      port,
      service: 'ftp',
      protocol: 'ftp',
      mode: 'starttls',
      status: 'success',
      banner: '220 (vsFTPd 3.0.3)',
      starttls: { offered: true, upgraded: true, reply: '234 Proceed with negotiation.' },
      capabilities: { beforeTls: FEATURES, afterTls: FEATURES },
      // The plugin's own typed field (module augmentation of ProbeRecordExtensions).
      ftp: { featSupported: true },
    });
    expect(rec.tls.completed).toBe(true);
    expect(rec.tls.version).toMatch(/^TLSv1\.[23]$/);
    expect(Buffer.from(rec.tls.chain[0], 'base64').equals(cert.der)).toBe(true);
    expect(rec.tls.chain).toHaveLength(1);
  });

  it('never sends AUTH TLS to a vsftpd without TLS, and says so', async () => {
    const port = await startVsftpd('plain', false);
    const config = join(work, 'wildtls.config.yaml');
    const r = await runCli(['scan', '127.0.0.1', '--protocol', 'ftp', '--port', String(port), '--allow', '127.0.0.0/8', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout.trim());
    expect(rec).toMatchObject({ status: 'no-starttls', starttls: { offered: false, upgraded: false } });
    expect(rec.capabilities.beforeTls).not.toContain('AUTH TLS');
    expect(rec.tls).toBeUndefined();
  });
});
