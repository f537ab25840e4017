import { Args, Flags } from '@oclif/core';
import { createRunContainer, planTargets } from '@wildtls/core';
import { once } from 'node:events';
import { WildtlsCommand } from '../base-command.js';
import { scanOverrides, setFlag, targetFlags } from '../flags.js';
import { loadRun } from '../load-run.js';

export default class Targets extends WildtlsCommand {
  static override description =
    'Print the targets a scan with the same options would visit, in order, after blocklists and sharding (address, port, service, host name), without connecting to any of them. ' +
    'It sends no DNS query unless --resolve is given (the default for --source domains, a list of names; it says so on stderr and --no-resolve turns it off): ' +
    'without it, host names and domains are not listed, but counted and named on stderr.';

  static override examples = [
    '<%= config.bin %> targets 192.0.2.0/24 -p smtp --seed 7 --allow 192.0.2.0/24',
    '<%= config.bin %> targets 198.51.100.0/22 -p smtp -p imaps --shards 4 --shard 1 --count',
    '<%= config.bin %> targets --source domains -i top-sites.csv -p smtp --dns-server 127.0.0.53',
    '<%= config.bin %> targets mail.example.org 192.0.2.0/28 -p smtp --resolve --dns-server 127.0.0.53',
    'zmap -p 25 -O csv -f saddr,sport 203.0.113.0/24 | <%= config.bin %> targets --source zmap -p smtp',
  ];

  static override strict = false;

  static override args = {
    targets: Args.string({ description: 'Addresses, CIDR ranges, host names or domains (more with --input).', ignoreStdin: true }),
  };

  static override flags = {
    ...targetFlags,
    ...setFlag,
    count: Flags.boolean({ description: 'Print only the totals: targets, probes (per target, port and service), excluded, invalid.' }),
    json: Flags.boolean({ description: 'One JSON object per line instead of tab-separated columns.' }),
    resolve: Flags.boolean({ allowNo: true, description: 'Resolve host names and domains through DNS (--dns-server, scan.dns) to list their addresses (default: only for --source domains).' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Targets);
    const setup = await loadRun({ configFile: flags.config, overrides: scanOverrides(flags, argv as string[]), sets: flags.set, logLevel: flags['log-level'] ?? 'warn' });
    const container = await createRunContainer(setup.config, setup.registry, setup.logger);
    const resolve = flags.resolve ?? setup.config.scan.source === 'domains';
    if (resolve && flags.resolve === undefined) process.stderr.write('wildtls: resolving the domains through DNS to list their addresses (--no-resolve sends no query)\n');
    const plan = await planTargets(setup.config, setup.registry, container, { logger: setup.logger, resolve });
    const out = process.stdout;
    let buffer = '';
    for await (const t of plan.probes()) {
      if (flags.count) continue;
      buffer += flags.json ? JSON.stringify(t) + '\n' : `${t.ip}\t${t.port}\t${t.service}${t.domain ? `\t${t.domain}` : ''}\n`;
      if (buffer.length > 65536) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    if (buffer) out.write(buffer);
    const unresolved = plan.notResolved();
    if (unresolved.length) {
      const names = unresolved.slice(0, 5).join(', ') + (unresolved.length > 5 ? `, ... (${unresolved.length - 5} more)` : '');
      process.stderr.write(`wildtls: ${unresolved.length} host names or domains not listed: no DNS query was sent (${names}); --resolve resolves them\n`);
    }
    if (flags.count) {
      const s = plan.stats();
      const total = plan.source.total?.();
      const lines = [
        `targets\t${s.targets}`,
        `probes\t${s.probes}`,
        `excluded\t${s.excluded}`,
        `invalid\t${s.invalid}`,
        ...(unresolved.length ? [`unresolved\t${unresolved.length}`] : []),
        ...(total !== undefined ? [`positions\t${total}`] : []),
        `seed\t${setup.config.scan.seed}`,
      ];
      out.write(lines.join('\n') + '\n');
    }
  }
}
