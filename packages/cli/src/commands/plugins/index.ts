import { Flags } from '@oclif/core';
import { PLUGIN_API_VERSION } from '@wildtls/core';
import { WildtlsCommand } from '../../base-command.js';
import { loadRun } from '../../load-run.js';

export default class Plugins extends WildtlsCommand {
  static override description = 'List the plugins a run would load: id, kind, version, plugin API range, source, and the services each protocol provides.';

  static override examples = ['<%= config.bin %> plugins', '<%= config.bin %> plugins --json', '<%= config.bin %> plugins --config ./wildtls.config.yaml'];

  static override flags = {
    json: Flags.boolean({ description: 'Print JSON.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Plugins);
    const { loaded } = await loadRun({ configFile: flags.config, logLevel: 'silent' });
    const rows = loaded.map(({ plugin, source, spec }) => ({
      id: plugin.id,
      kind: plugin.kind,
      version: plugin.version,
      api: plugin.api,
      source,
      spec,
      services: plugin.kind === 'protocol' ? plugin.services.map((s) => `${s.name}/${s.defaultPort}${s.mode === 'implicit' ? ' (implicit)' : ' (starttls)'}`) : [],
    }));
    if (flags.json) {
      this.log(JSON.stringify({ pluginApi: PLUGIN_API_VERSION, plugins: rows }, null, 2));
      return;
    }
    const head = ['ID', 'KIND', 'VERSION', 'API', 'SOURCE', 'PACKAGE'];
    const cells = rows.map((r) => [r.id, r.kind, r.version, r.api, r.source, r.spec]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const fmt = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
    this.log(`plugin API ${PLUGIN_API_VERSION}`);
    this.log(fmt(head));
    for (const c of cells) this.log(fmt(c));
    const services = rows.flatMap((r) => r.services.map((s) => `${s} [${r.id}]`));
    if (services.length) this.log(`\nservices: ${services.join(', ')}`);
  }
}
