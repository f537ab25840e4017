import { Args, Flags } from '@oclif/core';
import { passiveFromConfig, WildtlsError, type PluginRegistry, type WildtlsConfig } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { applySet, setFlag } from '../flags.js';
import { loadRun } from '../load-run.js';
import { passiveFactoryMaker } from '../passive-factory.js';
import { formatPassiveSummary } from '../passive-summary.js';

/** The watched ports: --ports SERVICE=PORT pairs, else every loaded service on its configured or default ports. */
function servicePorts(pairs: string[] | undefined, config: WildtlsConfig, registry: PluginRegistry): Map<number, string> {
  const map = new Map<number, string>();
  if (pairs?.length) {
    for (const pair of pairs) {
      const m = /^([a-z0-9-]+)=(\d{1,5})$/i.exec(pair);
      const port = m ? Number(m[2]) : 0;
      if (!m || port < 1 || port > 65535) throw new WildtlsError('WILDTLS_ERR_USAGE', `--ports ${pair}: expected SERVICE=PORT, e.g. smtp=25`);
      registry.service(m[1]!); // an unknown service is a coded error naming the loaded ones
      map.set(port, m[1]!);
    }
    return map;
  }
  for (const name of registry.serviceNames()) {
    const ports = config.scan.servicePorts[name]?.length ? config.scan.servicePorts[name]! : [registry.service(name).spec.defaultPort];
    for (const port of ports) if (!map.has(port)) map.set(port, name);
  }
  return map;
}

export default class Passive extends WildtlsCommand {
  static override description = [
    'Read packet captures (pcap or pcapng, gzip accepted, several files in order, or "-" for standard input),',
    'reassemble the TCP connections on the watched ports and write one record per connection through the same',
    'sinks as a scan (source "passive"). Link types: Ethernet (VLAN tags), Linux cooked SLL and SLL2, raw IP,',
    'BSD loopback; IPv4 and IPv6. A statistics summary goes to standard error.',
  ].join(' ');

  static override examples = [
    '<%= config.bin %> passive uplink.pcap --output conns.jsonl',
    '<%= config.bin %> passive day1.pcapng.gz day2.pcapng.gz --ports smtp=25 --ports submission=587 -o conns.jsonl.gz',
    "tcpdump -i eth0 -w - 'tcp port 25 or tcp port 143 or tcp port 110' | <%= config.bin %> passive - --output conns.jsonl",
  ];

  static override strict = false;

  static override args = {
    captures: Args.string({ description: 'Capture files, or "-" for standard input (more may follow).', required: true }),
  };

  static override flags = {
    ...setFlag,
    output: Flags.string({ char: 'o', description: 'Output file: JSONL ("-" = stdout, the default; .gz = gzip), or a DuckDB result store when it ends in .duckdb (docs/store.md).' }),
    gzip: Flags.boolean({ description: 'Gzip the output.', allowNo: true }),
    ports: Flags.string({ multiple: true, description: 'Watch this server port as this service: SERVICE=PORT (repeatable; default: every loaded service on its scan.servicePorts or default port).' }),
    'client-key': Flags.string({ description: 'File with the key of the keyed hash (HMAC-SHA256) that replaces client addresses in the records (default: $XDG_CONFIG_HOME/wildtls/client.key, i.e. ~/.config/wildtls/client.key, made with mode 0600 on first use; keep it to link clients across captures, delete it to unlink them).' }),
    anonymize: Flags.boolean({ description: 'Replace client addresses with a keyed hash (the default; --no-anonymize keeps them).', allowNo: true, default: true }),
    quiet: Flags.boolean({ char: 'q', description: 'Do not print the statistics.' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Passive);
    const overrides: Record<string, unknown> = {};
    const output: Record<string, unknown> = {};
    if (flags.output) output.path = flags.output;
    if (flags.gzip !== undefined) output.gzip = flags.gzip;
    if (Object.keys(output).length) overrides.output = output;
    for (const assignment of flags.set ?? []) applySet(overrides, assignment);
    const setup = await loadRun({ configFile: flags.config, overrides, logLevel: flags['log-level'] });
    const services = servicePorts(flags.ports, setup.config, setup.registry);
    if (!passiveFactoryMaker) process.stderr.write('wildtls passive: this build has no passive record builder yet: captures are read and their connections counted, but no record is written (only the statistics)\n');
    const started = performance.now();
    const { stats, records } = await passiveFromConfig(setup.config, setup.registry, argv as string[], {
      logger: setup.logger,
      services,
      privacy: { anonymize: flags.anonymize, clientKeyFile: flags['client-key'] },
      makeFactory: passiveFactoryMaker ?? (() => () => undefined),
    });
    if (!flags.quiet) process.stderr.write(formatPassiveSummary(stats, records, performance.now() - started) + '\n');
  }
}
