import { Args, Flags } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { WildtlsError } from '@wildtls/core';
import { WildtlsCommand } from '../../base-command.js';
import { detectCore } from '../../scaffold/core-spec.js';
import { PLUGIN_NAME, isFreeDir, scaffold } from '../../scaffold/scaffold.js';
import { templateDir, type TemplateKind } from '../../scaffold/template-dir.js';

export default class PluginsNew extends WildtlsCommand {
  static override description =
    'Start a new plugin from the template: a package that builds and passes its tests before you edit anything. ' +
    'Edit src/dialog.ts (protocol) or src/analyzer.ts (analysis) where it says FILL IN.';

  static override examples = [
    '<%= config.bin %> plugins new protocol ftp --port 21',
    '<%= config.bin %> plugins new analysis expiring-certs',
    '<%= config.bin %> plugins new protocol ldap --dir ~/src/wildtls-ldap --package @mylab/wildtls-protocol-ldap',
  ];

  static override args = {
    kind: Args.string({ description: 'What the plugin does.', options: ['protocol', 'analysis'], required: true }),
    name: Args.string({ description: 'Plugin id, lower-case (also the service name of a protocol): ftp, ldap, expiring-certs.', required: true }),
  };

  static override flags = {
    dir: Flags.string({ description: 'Folder to create (default: ./wildtls-<kind>-<name>). It must not exist or be empty.' }),
    package: Flags.string({ description: 'npm package name (default: wildtls-<kind>-<name>).' }),
    port: Flags.integer({ description: "Protocol plugins: the service's default port.", min: 1, max: 65535, default: 7777 }),
    core: Flags.string({ description: 'The @wildtls/core the plugin develops against: a version range from npm, or a path to a wildtls checkout\'s packages/core (default: the core this CLI runs with).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsNew);
    const kind = args.kind as TemplateKind;
    const name = args.name;
    if (!PLUGIN_NAME.test(name)) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `plugin name "${name}": use lower-case letters, digits and dashes, starting with a letter (e.g. ftp, expiring-certs)`);
    }
    const packageName = flags.package ?? `wildtls-${kind}-${name}`;
    if (!/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(packageName)) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `--package ${packageName}: not a valid npm package name (lower-case, optionally @scope/name)`);
    }
    const dest = resolve(flags.dir ?? `wildtls-${kind}-${name}`);
    if (!isFreeDir(dest)) throw new WildtlsError('WILDTLS_ERR_USAGE', `${dest} exists and is not empty; choose another --dir`);
    const coreOverride = flags.core && /^(\.|\/|~)/.test(flags.core) ? resolve(flags.core.replace(/^~/, process.env.HOME ?? '~')) : flags.core;
    const core = detectCore(coreOverride);
    const files = scaffold(templateDir(kind), dest, { name, packageName, port: flags.port, coreVersion: core.version, coreDevSpec: core.devSpec });
    const shown = relative(process.cwd(), dest) || '.';
    const edit = kind === 'protocol' ? 'src/dialog.ts (the dialog) and src/index.ts (services, ports)' : 'src/analyzer.ts (the counting) and src/index.ts (options)';
    this.log(`created ${packageName} in ${dest} (${files.length} files)`);
    if (core.linkedFrom) this.log(`@wildtls/core: linked from ${core.linkedFrom} (a wildtls checkout); pass --core ^${core.version} to take it from npm`);
    this.log('');
    this.log('next steps:');
    this.log(`  cd ${shown}`);
    this.log('  npm install');
    this.log('  npm run build && npm test');
    this.log(`  edit ${edit} where it says FILL IN`);
    const addPath = /^(\/|\.\.)/.test(shown) ? shown : `./${shown}`;
    this.log(`  wildtls plugins add ${addPath}    (adds it to your wildtls.config.yaml)`);
  }
}
