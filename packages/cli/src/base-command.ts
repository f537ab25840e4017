import { Command, Flags } from '@oclif/core';
import { isWildtlsError } from '@wildtls/core';

/** Shared flags and error handling: coded errors print their message and exit non-zero. */
export abstract class WildtlsCommand extends Command {
  static override baseFlags = {
    config: Flags.string({ char: 'c', description: 'Config file (default: wildtls.config.yaml, .wildtlsrc.yaml, ... in the working directory).', helpGroup: 'GLOBAL' }),
    'log-level': Flags.string({ description: 'Log level.', options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], helpGroup: 'GLOBAL' }),
  };

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isWildtlsError(err)) {
      const usage = err.code === 'WILDTLS_ERR_USAGE' || err.code === 'WILDTLS_ERR_UNKNOWN_SERVICE' || err.code === 'WILDTLS_ERR_TARGET';
      this.logToStderr(`wildtls: ${err.message} [${err.code}]`);
      this.exit(usage ? 2 : 1);
    }
    return super.catch(err);
  }
}
