import { spawn } from 'node:child_process';
import { WildtlsError } from '@wildtls/core';

/** An npm package argument: `name`, `@scope/name`, either with `@version-or-range`. */
export interface PackageArg {
  /** The package name alone: what the config's plugins list names. */
  name: string;
  /** What `npm install` is given (the name with the version, when one was given). */
  install: string;
}

const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** Split `name[@version]`; undefined when the argument is not an npm registry package name. */
export function parsePackageArg(arg: string): PackageArg | undefined {
  const at = arg.indexOf('@', arg.startsWith('@') ? 1 : 0);
  const name = at < 0 ? arg : arg.slice(0, at);
  const version = at < 0 ? '' : arg.slice(at + 1);
  if (!NAME.test(name) || (at >= 0 && !/^[\w.*^~<>=| -]+$/.test(version))) return undefined;
  return { name, install: arg };
}

/**
 * `npm install --save <pkg>` in `cwd` (npm walks up to the project's
 * package.json, as when typed there). npm reads its configuration as usual
 * (the project's .npmrc, the user's, npm_config_* variables); `registry`
 * overrides it for this install. npm's own output goes to stderr, so stdout
 * keeps only this command's lines. Bounded in time: a registry that does not
 * answer ends in an error, not a hang.
 */
export function npmInstall(pkg: string, opts: { cwd: string; registry?: string; timeoutMs?: number }): Promise<void> {
  const args = ['install', '--save', '--no-audit', '--no-fund', ...(opts.registry ? ['--registry', opts.registry] : []), pkg];
  const timeoutMs = opts.timeoutMs ?? 600_000;
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd: opts.cwd, stdio: ['ignore', process.stderr, process.stderr] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const fail = (why: string) =>
      reject(new WildtlsError('WILDTLS_ERR_PLUGIN_NOT_FOUND', `could not install ${pkg}: \`npm ${args.join(' ')}\` in ${opts.cwd} ${why} (npm's output is above)`));
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(`did not start: ${err.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else fail(signal ? `was stopped after ${timeoutMs / 1000} s` : `exited with ${code}`);
    });
  });
}
