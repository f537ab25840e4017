import { Args, Command, loadHelpClass } from '@oclif/core';

/**
 * `wildtls help [COMMAND]`: oclif's own help renderer (what `--help` shows),
 * without the @oclif/plugin-help package, whose command is just this.
 */
export default class HelpCommand extends Command {
  static override description = 'Show the help of wildtls or of one command (the same as COMMAND --help or COMMAND -h).';

  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help scan', '<%= config.bin %> help plugins add'];

  static override strict = false;

  static override args = {
    command: Args.string({ description: 'The command, with its topic words separated by spaces (plugins add).', required: false }),
  };

  async run(): Promise<void> {
    const { argv } = await this.parse(HelpCommand);
    const words = argv as string[];
    if (words.length && !this.config.findCommand(words.join(':')) && !this.config.findTopic(words.join(':'))) {
      this.logToStderr(`wildtls: no command "${words.join(' ')}"; the commands: ${this.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' ')).sort().join(', ')}`);
      this.exit(2);
    }
    const Help = await loadHelpClass(this.config);
    await new Help(this.config, this.config.pjson.oclif.helpOptions).showHelp(words);
  }
}
