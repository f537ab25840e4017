import { Flags } from '@oclif/core';
import { writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createRunContainer, renderReports, scanFromConfig, type ProbeRecord, type Report } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { startDemoHttps, startDemoImaps, startDemoSmtp, type DemoServer } from '../demo/demo-servers.js';
import { describeRecord } from '../show/describe-record.js';
import { availableEngines, profileResolver } from '../engines.js';
import { loadRun } from '../load-run.js';

export default class Demo extends WildtlsCommand {
  static override description =
    'Start a few servers on 127.0.0.1 (SMTP with STARTTLS, IMAPS, HTTPS; certificate generated now), scan them through the real pipeline and print what was found. Nothing beyond loopback is touched.';

  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --output demo.jsonl', '<%= config.bin %> demo --engine node'];

  static override flags = {
    output: Flags.string({ char: 'o', description: 'Also write the records (JSONL) to this file.' }),
    engine: Flags.string({ description: 'TLS engine.', options: ['raw', 'node'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Demo);
    // Imported here: without an oclif manifest every command module is loaded at start-up, and
    // @wildtls/core/testing pulls in @peculiar/x509 (about half a second of CPU) for every command.
    const { selfSignedCertificate } = await import('@wildtls/core/testing');
    const cert = await selfSignedCertificate({ commonName: 'demo.wildtls.test', dnsNames: ['demo.wildtls.test', 'localhost'], keyType: 'ec' });
    const servers: DemoServer[] = await Promise.all([startDemoSmtp(cert), startDemoImaps(cert), startDemoHttps(cert)]);
    const engines = availableEngines();
    const engine = flags.engine ?? 'raw';
    const records: ProbeRecord[] = [];
    let reports: Report[] = [];
    try {
      this.log(`wildtls demo: servers on 127.0.0.1: ${servers.map((s) => `${s.service}:${s.port}`).join(', ')}; TLS engine: ${engine}\n`);
      // One pass per service, each through the same pipeline `wildtls scan` uses.
      let setup;
      for (const s of servers) {
        setup = await loadRun({
          ignoreConfigFiles: true,
          logLevel: flags['log-level'] ?? 'warn',
          overrides: {
            scan: { targets: ['127.0.0.1'], protocols: [s.service], ports: [s.port], allow: ['127.0.0.0/8'], rate: 0, timeout: { connect: 2000, read: 3000, probe: 10000 } },
            tls: { engine },
            output: { path: '-' },
          },
        });
        const out = new PassThrough();
        let text = '';
        out.on('data', (d) => (text += d));
        await scanFromConfig(setup.config, setup.registry, { logger: setup.logger, engines, resolveProfile: profileResolver(), stdout: out });
        records.push(...text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeRecord));
      }
      for (const r of records) this.log(describeRecord(r) + '\n');
      if (setup) {
        const container = await createRunContainer(setup.config, setup.registry, setup.logger);
        const wanted = ['starttls', 'sasl', 'ca-practice'];
        for (const plugin of setup.registry.analyses().filter((a) => wanted.includes(a.id))) {
          const analyzer = await plugin.create({ options: (setup.config.options as Record<string, unknown>)[plugin.id], logger: setup.logger, container, params: {} });
          for (const r of records) await analyzer.consume(r);
          reports.push(await analyzer.finish());
        }
      }
      if (reports.length) this.log(renderReports(reports, 'table'));
      if (flags.output) {
        writeFileSync(flags.output, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        this.log(`records written to ${flags.output}`);
      }
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    reports = [];
    const failed = records.filter((r) => r.status !== 'success');
    if (records.length !== servers.length || failed.length) this.exit(1);
  }
}
