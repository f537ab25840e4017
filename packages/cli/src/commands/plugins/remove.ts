import { Args, Flags } from '@oclif/core';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WildtlsError, loadConfigFile, loadPlugins, type LoadedPlugin } from '@wildtls/core';
import { WildtlsCommand } from '../../base-command.js';
import { BUILTIN_PLUGINS } from '../../builtins.js';
import { CLI_DIR } from '../../load-run.js';
import { listedPlugins, removePluginFromYaml } from '../../scaffold/add-plugin-yaml.js';

export default class PluginsRemove extends WildtlsCommand {
  static override description =
    "Remove a plugin from the config's plugins list (the inverse of plugins add), keeping the file's comments and layout. " +
    'NAME is the entry as listed, a path to the plugin package, or the plugin id. Without a list in the config, the built-in list is in force: ' +
    'removing one of it writes the list of the others. It says which plugins remain, and refuses to leave no protocol plugin (nothing to scan) unless --force.';

  static override examples = [
    '<%= config.bin %> plugins remove wildtls-protocol-ftp',
    '<%= config.bin %> plugins remove ./wildtls-protocol-ftp --config scans/lab.yaml',
    '<%= config.bin %> plugins remove sasl',
  ];

  static override args = {
    plugin: Args.string({ description: 'The entry of the plugins list, a path to the plugin package, or the plugin id.', required: true }),
  };

  static override flags = {
    force: Flags.boolean({ description: 'Remove it even if no protocol plugin would remain.' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsRemove);
    const cwd = process.cwd();
    const found = await loadConfigFile({ file: flags.config, cwd });
    const file = found.filepath;
    if (!file) throw new WildtlsError('WILDTLS_ERR_CONFIG_NOT_FOUND', 'no config file found, so the built-in plugins are in use and there is no list to remove from; `wildtls init` writes a config');
    if (!/\.ya?ml$/i.test(file)) throw new WildtlsError('WILDTLS_ERR_USAGE', `${file} is not a YAML file; remove "${args.plugin}" from its "plugins" list by hand`);
    const configDir = dirname(file);
    const options = { dirs: [configDir, cwd], builtinDir: CLI_DIR, builtins: BUILTIN_PLUGINS };
    const text = readFileSync(file, 'utf8');
    const yaml = <T>(edit: () => T): T => {
      try {
        return edit();
      } catch (err) {
        throw new WildtlsError('WILDTLS_ERR_CONFIG_PARSE', `${file}: ${(err as Error).message}`);
      }
    };
    const listed = yaml(() => listedPlugins(text, BUILTIN_PLUGINS));
    const spec = listed.includes(args.plugin) ? args.plugin : await this.findEntry(args.plugin, listed, configDir, cwd, options);
    const result = yaml(() => removePluginFromYaml(text, spec, BUILTIN_PLUGINS));
    const remaining: Array<{ spec: string; loaded?: LoadedPlugin }> = [];
    for (const other of result.plugins) {
      try {
        remaining.push({ spec: other, loaded: (await loadPlugins([other], options))[0] });
      } catch (err) {
        this.warn(`${other} (left in the list) does not load: ${(err as Error).message}`);
        remaining.push({ spec: other });
      }
    }
    const names = remaining.map((r) => (r.loaded ? `${r.spec} (${r.loaded.plugin.kind} "${r.loaded.plugin.id}")` : r.spec)).join(', ') || 'none';
    const protocols = remaining.filter((r) => r.loaded?.plugin.kind === 'protocol');
    if (!protocols.length && !flags.force) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `removing ${spec} would leave no protocol plugin in ${file} (remaining: ${names}), so a scan would have nothing to probe; add one first, or --force`);
    }
    writeFileSync(file, result.text);
    this.log(`removed ${spec} from ${file}`);
    this.log(`plugins left: ${names}`);
    if (!protocols.length) this.log('no protocol plugin is left: scans probe nothing until one is added (wildtls plugins add NAME)');
  }

  /** The list entry NAME means: the same path, or a plugin whose id is NAME. */
  private async findEntry(name: string, listed: string[], configDir: string, cwd: string, options: Parameters<typeof loadPlugins>[1]): Promise<string> {
    const isPath = (s: string) => /^(\.|\/|~)/.test(s);
    if (isPath(name)) {
      const abs = resolve(cwd, name);
      const hit = listed.find((s) => isPath(s) && resolve(configDir, s) === abs);
      if (hit) return hit;
    }
    for (const entry of listed) {
      const loaded = await loadPlugins([entry], options).catch(() => []);
      if (loaded[0]?.plugin.id === name) return entry;
    }
    throw new WildtlsError('WILDTLS_ERR_USAGE', `"${name}" is not in the plugins list in force for this config (${listed.join(', ') || 'empty'}), as an entry, a path or a plugin id`);
  }
}
