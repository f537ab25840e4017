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
      const usage = err.code === 'WILDTLS_ERR_USAGE' || err.code === 'WILDTLS_ERR_UNKNOWN_SERVICE';
      this.logToStderr(`wildtls: ${err.message} [${err.code}]`);
      this.exit(usage ? 2 : 1);
    }
    return super.catch(err);
  }
}
