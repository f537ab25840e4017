import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForeground, tempDir, whenListening, type Daemon } from '../../harness/daemon.js';

export const INSPIRCD = '/usr/sbin/inspircd';

export interface InspircdSettings {
  ip: string;
  serverName: string;
  certChainPem: string;
  keyPem: string;
  /** Load m_starttls (the `tls` cap and the STARTTLS command). */
  starttls: boolean;
  /** GnuTLS priority string of the TLS profile. */
  priority: string;
  /**
   * Look up client host names (default true), which makes the server greet with NOTICE lines.
   * `openssl s_client -starttls irc` reads the first line it gets as the reply to its STARTTLS and gives
   * up on anything that is not a numeric, so it needs false: then 670 is the first line sent.
   */
  resolveHostnames?: boolean;
}

export interface InspircdInstance extends Daemon {
  ip: string;
  ports: { irc: number; ircs: number };
}

/**
 * InspIRCd 3 in the foreground (--nofork) from a config in a temporary
 * folder, bound to one loopback address, stopped by its pid. Host lookups
 * stay on, against a loopback address where no resolver answers, so the
 * server sends its usual NOTICE lines first, as it does on the Internet.
 */
export async function startInspircd(s: InspircdSettings): Promise<InspircdInstance> {
  const dir = tempDir('inspircd');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, s.certChainPem, { mode: 0o644 });
  writeFileSync(key, s.keyPem, { mode: 0o644 });
  writeFileSync(join(dir, 'motd.txt'), 'wildtls test server\n');
  const ports = { irc: 6667, ircs: 6697 };
  const config = `<config format="xml">
<server name="${s.serverName}" description="wildtls test" network="WildtlsTest">
<admin name="test" nick="test" email="test@${s.serverName}">
<pid file="${dir}/inspircd.pid">
<files motd="${dir}/motd.txt">
<module name="cap">
<module name="ssl_gnutls">
${s.starttls ? '<module name="starttls">' : ''}
<module name="ircv3">
<module name="ircv3_servertime">
<sslprofile name="main" provider="gnutls" certfile="${cert}" keyfile="${key}" priority="${s.priority}" hash="sha256" requestclientcert="no">
<bind address="${s.ip}" port="${ports.irc}" type="clients">
<bind address="${s.ip}" port="${ports.ircs}" type="clients" sslprofile="main">
<connect allow="*" timeout="60" pingfreq="120" sendq="262144" recvq="8192" localmax="100" globalmax="100" resolvehostnames="${s.resolveHostnames === false ? 'no' : 'yes'}">
<dns server="${s.ip.replace(/\.\d+$/, '.53')}" timeout="1">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="${dir}/ircd.log">
`;
  writeFileSync(join(dir, 'inspircd.conf'), config);
  const d = startForeground(INSPIRCD, [`--config=${join(dir, 'inspircd.conf')}`, '--nofork', '--runasroot']);
  const ready = await whenListening(`inspircd on ${s.ip}`, d, dir, Object.values(ports).map((p) => [s.ip, p]));
  return { ...ready, ip: s.ip, ports };
}
