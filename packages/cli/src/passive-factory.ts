import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { clientAnonymizer, createPassiveFlowFactory, loadClientKey, type PassiveFactoryMaker, type PassivePortEntry } from '@wildtls/core';

/** Where the client key lives when --client-key is not given: $XDG_CONFIG_HOME/wildtls/client.key (made, mode 0600, on first use). */
export function defaultClientKeyFile(): string {
  const dir = join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'wildtls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, 'client.key');
}

/**
 * The passive record builder `wildtls passive` plugs in (issue 16, part 2):
 * each watched port's service, its plugin's passive dialog and the TLS
 * follower, one record per connection; client addresses replaced by
 * HMAC-SHA256 under the user's key unless --no-anonymize.
 */
export const passiveFactoryMaker: PassiveFactoryMaker | undefined = (ctx) => {
  const ports = new Map<number, PassivePortEntry>();
  for (const [port, name] of ctx.services) {
    const { plugin, spec } = ctx.registry.service(name);
    ports.set(port, { spec, protocolId: plugin.id });
  }
  const clientIp = ctx.privacy.anonymize ? clientAnonymizer(loadClientKey(ctx.privacy.clientKeyFile ?? defaultClientKeyFile())) : undefined;
  return createPassiveFlowFactory({ ports, ...(clientIp ? { clientIp } : {}) }, (record) => ctx.emit(record));
};
