import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForeground, tempDir, whenListening, type Daemon } from '../../harness/daemon.js';

export const NGINX = '/usr/sbin/nginx';

export interface NginxSite {
  ip: string;
  port: number;
  serverName: string;
  /** nginx ssl_protocols, e.g. 'TLSv1.2' or 'TLSv1.3'. */
  protocols: string;
  /** Strict-Transport-Security value to add, if any. */
  hsts?: string;
  /** Status code `return`ed for every request. */
  status: number;
}

export interface NginxInstance extends Daemon {
  sites: NginxSite[];
}

/**
 * nginx in the foreground (daemon off) with -p <tempdir> -c <conf>, one
 * server block per loopback address, a pid file, stopped by the master's pid.
 * server_tokens off makes the Server header the bare, version-free `nginx`.
 */
export async function startNginx(certChainPem: string, keyPem: string, sites: NginxSite[]): Promise<NginxInstance> {
  const dir = tempDir('nginx');
  mkdirSync(join(dir, 'tmp'));
  mkdirSync(join(dir, 'logs'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, certChainPem, { mode: 0o644 });
  writeFileSync(key, keyPem, { mode: 0o600 });
  const servers = sites.map((s) => `
  server {
    listen ${s.ip}:${s.port} ssl;
    server_name ${s.serverName};
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols ${s.protocols};
    ${s.hsts ? `add_header Strict-Transport-Security "${s.hsts}" always;` : ''}
    location / { return ${s.status}; }
  }`).join('\n');
  const d = runNginx(dir, servers);
  const ready = await whenListening('nginx', d, dir, sites.map((s) => [s.ip, s.port]));
  return { ...ready, sites };
}

/**
 * Write dir/nginx.conf around the given `server { ... }` blocks (everything
 * nginx writes kept under dir: pid, logs, temp files) and start nginx in the
 * foreground on it. dir must hold the folders tmp and logs.
 */
export function runNginx(dir: string, servers: string): Daemon {
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  server_tokens off;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
${servers}
}
`);
  return startForeground(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs', 'error.log')]);
}
