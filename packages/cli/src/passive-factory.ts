import type { PassiveFactoryMaker } from '@wildtls/core';

/**
 * The passive record builder `wildtls passive` plugs in (issue 16, part 2: per-connection following
 * of the protocol dialogs and TLS handshakes). Until it is merged there is none: the command then
 * reads the captures, follows their TCP connections and prints the statistics, and writes no record.
 */
export const passiveFactoryMaker: PassiveFactoryMaker | undefined = undefined;
