import { Args, Flags } from '@oclif/core';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { WildtlsError, loadConfigFile, loadPlugins, resolvePlugin } from '@wildtls/core';
import { WildtlsCommand } from '../../base-command.js';
import { BUILTIN_PLUGINS } from '../../builtins.js';
import { CLI_DIR } from '../../load-run.js';
import { addPluginToYaml } from '../../scaffold/add-plugin-yaml.js';
import { npmInstall, parsePackageArg } from '../../scaffold/npm-install.js';

export default class PluginsAdd extends WildtlsCommand {
  static override description =
    "Add a plugin (npm package name or path) to the config's plugins list, after checking that it loads. " +
    'A package name that is not installed where the config can see it (or one given with @version) is first installed ' +
    "with `npm install --save` in the config's project, from the registry npm is configured with (.npmrc, npm_config_registry) or --registry. " +
    'Comments and layout of the YAML file are kept; without a list, the built-in list is written first. ' +
    'Without a config file, wildtls.config.yaml is created from the starter config.';

  static override examples = [
    '<%= config.bin %> plugins add wildtls-protocol-ftp',
    '<%= config.bin %> plugins add @mylab/wildtls-analysis-expiring-certs@^0.2 --registry http://127.0.0.1:4873/',
    '<%= config.bin %> plugins add ./wildtls-protocol-ftp',
    '<%= config.bin %> plugins add @mylab/wildtls-analysis-expiring-certs --config scans/lab.yaml',
  ];

  static override args = {
    plugin: Args.string({ description: 'npm package name, optionally with @version (installed from the registry unless already installed where the config or the working directory can see it), or a path to the plugin package.', required: true }),
  };

  static override flags = {
    registry: Flags.string({ description: "Registry to install a package from (default: npm's configuration: the project's .npmrc, ~/.npmrc, npm_config_registry)." }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsAdd);
    const cwd = process.cwd();
    const found = await loadConfigFile({ file: flags.config, cwd });
    const file = found.filepath ?? resolve(cwd, 'wildtls.config.yaml');
    if (!/\.ya?ml$/i.test(file)) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `${file} is not a YAML file; add "${args.plugin}" to its "plugins" list by hand`);
    }
    const configDir = dirname(file);
    let spec: string;
    if (isPathArg(args.plugin)) {
      spec = storedSpec(args.plugin, cwd, configDir);
    } else {
      const pkg = parsePackageArg(args.plugin);
      if (!pkg) throw new WildtlsError('WILDTLS_ERR_USAGE', `"${args.plugin}" is neither an npm package name (name, @scope/name, optionally @version) nor a path (./dir, /dir)`);
      spec = pkg.name;
      // Installed already (in the project or among the CLI's built-ins) and no version asked: nothing to fetch.
      if (pkg.install !== pkg.name || !resolvePlugin(pkg.name, { dirs: [configDir, cwd], builtinDir: CLI_DIR })) {
        this.log(`installing ${pkg.install} with npm in ${configDir}${flags.registry ? ` from ${flags.registry}` : ''}`);
        await npmInstall(pkg.install, { cwd: configDir, registry: flags.registry });
      }
    }
    if (!found.filepath) {
      writeFileSync(file, readFileSync(resolve(CLI_DIR, 'assets/starter-config.yaml'), 'utf8'));
      this.log(`no config file found: wrote the starter config to ${file}`);
    }
    const text = readFileSync(file, 'utf8');
    let result;
    try {
      result = addPluginToYaml(text, spec, BUILTIN_PLUGINS);
    } catch (err) {
      throw new WildtlsError('WILDTLS_ERR_CONFIG_PARSE', `${file}: ${(err as Error).message}`);
    }
    if (!result.added) {
      this.log(`${spec} is already in the plugins list of ${file}`);
      return;
    }
    // Load the new plugin before touching the file, then the listed ones for id clashes.
    const options = { dirs: [configDir, cwd], builtinDir: CLI_DIR, builtins: BUILTIN_PLUGINS };
    const [mine] = await loadPlugins([spec], options);
    for (const other of result.plugins.slice(0, -1)) {
      let id: string;
      try {
        id = (await loadPlugins([other], options))[0]!.plugin.id;
      } catch (err) {
        // A broken entry already in the list is the user's to fix; it does not stop this addition.
        this.warn(`${other} (already listed) does not load: ${(err as Error).message}`);
        continue;
      }
      if (id === mine!.plugin.id) {
        throw new WildtlsError('WILDTLS_ERR_PLUGIN_DUPLICATE', `${spec} has the id "${id}", like ${other} already in ${file}; remove one of them`);
      }
    }
    writeFileSync(file, result.text);
    const p = mine!.plugin;
    this.log(`added ${spec} to ${file}: ${p.kind} plugin "${p.id}" ${p.version} (plugin API ${p.api}, from ${mine!.source})`);
    if (p.kind === 'protocol') this.log(`services: ${p.services.map((s) => `${s.name}/${s.defaultPort}`).join(', ')}; scan with --protocol ${p.services[0]!.name}`);
    if (p.kind === 'analysis') this.log(`run it with: wildtls analyze results.jsonl --analysis ${p.id}`);
  }
}

function isPathArg(spec: string): boolean {
  return /^(\.|\/|~)/.test(spec) || isAbsolute(spec);
}

/** A path is stored relative to the config's folder (where the loader resolves it). */
function storedSpec(spec: string, cwd: string, configDir: string): string {
  const abs = resolve(cwd, spec.replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
  if (!existsSync(abs)) throw new WildtlsError('WILDTLS_ERR_PLUGIN_NOT_FOUND', `plugin path ${abs} does not exist`);
  const rel = relative(configDir, abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? (rel.split('/').filter((s) => s === '..').length > 2 ? abs : rel) : `./${rel}`;
}
