import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForeground, tempDir, whenListening, type Daemon } from '../../harness/daemon.js';

export const PROSODY = '/usr/bin/prosody';

export interface ProsodySettings {
  ip: string;
  /** Virtual host served (the stream `to` must name it). */
  host: string;
  certChainPem: string;
  keyPem: string;
  /** false: SASL is offered before TLS (only SCRAM, PLAIN needs TLS); true: Prosody's default, STARTTLS required. */
  c2sRequireEncryption: boolean;
  /** LuaSec protocol: 'tlsv1_2' pins TLS 1.2 (Prosody adds SCRAM-SHA-1-PLUS there), 'tlsv1_2+' allows 1.3. */
  protocol: 'tlsv1_2' | 'tlsv1_2+';
}

export interface ProsodyInstance extends Daemon {
  ip: string;
  ports: { c2s: number; s2s: number; c2sTls: number; s2sTls: number };
}

/**
 * Prosody 0.12 in the foreground (-F) from a config and data directory in a
 * temporary folder, bound to one loopback address, stopped by its pid.
 * run_as_root: CI runs the suite as root and Prosody refuses root otherwise.
 */
export async function startProsody(s: ProsodySettings): Promise<ProsodyInstance> {
  const dir = tempDir('prosody');
  mkdirSync(join(dir, 'data'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, s.certChainPem, { mode: 0o644 });
  writeFileSync(key, s.keyPem, { mode: 0o644 });
  const ports = { c2s: 5222, s2s: 5269, c2sTls: 5223, s2sTls: 5270 };
  const config = `
run_as_root = true
pidfile = "${dir}/prosody.pid"
data_path = "${dir}/data"
certificates = "${dir}"
interfaces = { "${s.ip}" }
c2s_ports = { ${ports.c2s} }
s2s_ports = { ${ports.s2s} }
c2s_direct_tls_ports = { ${ports.c2sTls} }
s2s_direct_tls_ports = { ${ports.s2sTls} }
log = { { levels = { min = "warn" }, to = "console" } }
modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping"; "register"; "smacks" }
allow_registration = false
c2s_require_encryption = ${s.c2sRequireEncryption}
s2s_require_encryption = true
s2s_secure_auth = false
authentication = "internal_hashed"
ssl = { certificate = "${cert}"; key = "${key}"; protocol = "${s.protocol}" }
VirtualHost "${s.host}"
`;
  writeFileSync(join(dir, 'prosody.cfg.lua'), config);
  const d = startForeground(PROSODY, ['--config', join(dir, 'prosody.cfg.lua'), '-F']);
  const ready = await whenListening(`prosody on ${s.ip}`, d, dir, Object.values(ports).map((p) => [s.ip, p]));
  return { ...ready, ip: s.ip, ports };
}
