import { Flags } from '@oclif/core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WildtlsError } from '@wildtls/core';
import { WildtlsCommand } from '../base-command.js';
import { CLI_DIR } from '../load-run.js';

export default class Init extends WildtlsCommand {
  static override description = 'Write a commented starter config (wildtls.config.yaml) that `wildtls scan` accepts.';

  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --path scans/lab.yaml', '<%= config.bin %> init --stdout'];

  static override flags = {
    path: Flags.string({ description: 'Where to write the config.', default: 'wildtls.config.yaml' }),
    force: Flags.boolean({ description: 'Overwrite an existing file.' }),
    stdout: Flags.boolean({ description: 'Print the config instead of writing it.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const text = readFileSync(resolve(CLI_DIR, 'assets/starter-config.yaml'), 'utf8');
    if (flags.stdout) {
      process.stdout.write(text);
      return;
    }
    const target = resolve(flags.path);
    if (existsSync(target) && !flags.force) {
      throw new WildtlsError('WILDTLS_ERR_USAGE', `${target} exists; use --force to overwrite it`);
    }
    // `init --path scans/lab.yaml` (the example above) in a fresh clone: make the folder, and say so.
    const dir = dirname(target);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      this.log(`created ${dir}`);
    }
    writeFileSync(target, text);
    this.log(`wrote ${target}`);
  }
}
