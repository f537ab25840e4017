import { Command, Flags, type Interfaces } from '@oclif/core';
import { isWildtlsError, type LogFormat } from '@wildtls/core';
import { setLogFormat } from './load-run.js';

/** oclif's FlagOutput and ArgOutput (not exported from its interfaces). */
type Output = { [name: string]: unknown };

/** Shared flags and error handling: coded errors print their message and exit non-zero. */
export abstract class WildtlsCommand extends Command {
  static override baseFlags = {
    config: Flags.string({ char: 'c', description: 'Config file (default: wildtls.config.yaml, .wildtlsrc.yaml, ... in the working directory).', helpGroup: 'GLOBAL' }),
    'log-level': Flags.string({ description: 'Log level.', options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], helpGroup: 'GLOBAL' }),
    'log-format': Flags.string({
      description: "Log lines on stderr: pretty (one human line each, `wildtls: warn: ...`; default) or json (pino's JSON lines; progress and the scan summary become JSON lines too).",
      options: ['pretty', 'json'],
      helpGroup: 'GLOBAL',
    }),
  };

  /** Every command's parse sees the global --log-format, so loadRun's logger follows it without each command passing it. */
  protected override async parse<F extends Output, B extends Output, A extends Output>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const out = await super.parse(options, argv);
    const format = (out.flags as Record<string, unknown>)['log-format'];
    if (format) setLogFormat(format as LogFormat);
    return out;
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isWildtlsError(err)) {
      const usage = err.code === 'WILDTLS_ERR_USAGE' || err.code === 'WILDTLS_ERR_UNKNOWN_SERVICE' || err.code === 'WILDTLS_ERR_TARGET';
      this.logToStderr(`wildtls: ${err.message} [${err.code}]`);
      this.debugStack(err);
      this.exit(usage ? 2 : 1);
    }
    // this.exit() and --help/--version end through oclif's own errors: leave them to it.
    if (err.oclif?.exit === 0 || err.constructor?.name === 'ExitError') return super.catch(err);
    if (err.oclif?.exit === 2) {
      // A parse error (unknown flag, missing argument, bad option value): one line, not oclif's usage block.
      this.logToStderr(`wildtls: ${firstLine(err.message)} (see wildtls ${this.id ?? ''} --help)`.replace('  ', ' '));
      this.exit(2);
    }
    // Anything else is unexpected: one line; the stack only with --log-level debug.
    const code = (err as NodeJS.ErrnoException).code;
    this.logToStderr(`wildtls: ${firstLine(err.message)}${code ? ` [${code}]` : ''}${this.debugging() ? '' : ' (--log-level debug shows the stack)'}`);
    this.debugStack(err);
    this.exit(1);
  }

  private debugging(): boolean {
    const i = this.argv.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
    const level = i < 0 ? undefined : this.argv[i]!.includes('=') ? this.argv[i]!.split('=')[1] : this.argv[i + 1];
    return level === 'debug' || level === 'trace';
  }

  private debugStack(err: Error): void {
    if (this.debugging() && err.stack) this.logToStderr(err.stack);
  }
}

/** oclif's message without its help block; a first line ending in ":" keeps the line that completes it. */
function firstLine(message: string): string {
  const lines = message.replace(/^\s*(Error:\s*)?/, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const head = lines[0] ?? 'error';
  const line = head.endsWith(':') && lines[1] ? `${head} ${lines[1]}` : head;
  return line.replace(/\s+/g, ' ').replace(/^Nonexistent flags?:/, 'unknown flag:');
}
