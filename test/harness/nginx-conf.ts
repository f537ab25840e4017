/**
 * The nginx.conf the TLS tests start nginx with: foreground, one worker,
 * every path (pid, error log, temp files) under `dir`, and the given server
 * blocks. Start it with `nginx -p dir -c dir/nginx.conf -e dir/error.log`.
 */
export function nginxConf(dir: string, servers: string): string {
  return `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
${servers}
}
`;
}
