import type { ServiceSpec } from '../plugin/api.js';
import type { ProbeRecord } from '../record/record-schema.js';
import { runProbe } from '../probe/run-probe.js';
import { silentLogger } from '../log/logger.js';
import type { TlsEngine } from '../tls/engine.js';
import { RawTlsEngine } from '../tls/raw-tls-engine.js';
import { DEFAULT_PROFILE, resolveProfile } from '../tls/profiles.js';

export interface DialogRunOptions {
  host?: string;
  port: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any plugin's spec; its dialog takes that plugin's own options type
  spec: ServiceSpec<any>;
  options?: unknown;
  protocolId?: string;
  domain?: string;
  engine?: TlsEngine;
  readTimeoutMs?: number;
  probeTimeoutMs?: number;
  maxLineBytes?: number;
  maxTotalBytes?: number;
  observeOnly?: boolean;
}

/** Run one service's dialog through the real probe path against a server, offering the scan's default profile (no fallback). */
export function runDialogAgainst(o: DialogRunOptions): Promise<ProbeRecord> {
  return runProbe(
    {
      target: { ip: o.host ?? '127.0.0.1', port: o.port, service: o.spec.name, ...(o.domain ? { domain: o.domain } : {}) },
      protocolId: o.protocolId ?? o.spec.name,
      spec: o.spec,
      options: o.options ?? {},
    },
    o.engine ?? new RawTlsEngine(),
    {
      timeouts: { connectMs: 2000, readMs: o.readTimeoutMs ?? 2000, probeMs: o.probeTimeoutMs ?? 10000 },
      maxLineBytes: o.maxLineBytes ?? 8192,
      maxTotalBytes: o.maxTotalBytes ?? 1 << 20,
      ladder: [resolveProfile(DEFAULT_PROFILE)],
      observeOnly: o.observeOnly ?? false,
      sni: true,
      connectRetries: 0,
    },
    silentLogger(),
  );
}
