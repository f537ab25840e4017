// Plain JS (no build step) so the fixture capture script can use it too.

/**
 * @typedef {object} DovecotSettings
 * @property {string} dir            temporary directory holding everything of this instance
 * @property {string} ip             loopback address to listen on
 * @property {{imap: number, imaps: number, pop3: number, pop3s: number}} ports
 * @property {boolean} ssl           offer TLS (STARTTLS/STLS and the implicit ports)
 * @property {boolean} disablePlaintextAuth  yes: LOGINDISABLED and no plaintext SASL before TLS
 * @property {string[]} mechanisms   auth_mechanisms, in the order given
 * @property {string} [minTls]       ssl_min_protocol (TLSv1.2, TLSv1.3)
 * @property {string} [opensslConf]  OPENSSL_CONF for the daemon (used to cap the TLS version)
 */

/** The dovecot.conf text of one loopback instance; files referenced live in `dir`. */
export function dovecotConfig(/** @type {DovecotSettings} */ s) {
  const d = s.dir;
  const env = ['TZ', 'CORE_OUTOFMEM', 'CORE_ERROR'];
  if (s.opensslConf) env.push(`OPENSSL_CONF=${s.opensslConf}`);
  const listener = (name, port, ssl) => `  inet_listener ${name} {\n    port = ${port}\n${ssl ? '    ssl = yes\n' : ''}  }\n`;
  return `# wildtls test instance (generated)
base_dir = ${d}/run
state_dir = ${d}/state
instance_name = wildtls-${s.ip}
log_path = /dev/stderr
import_environment = ${env.join(' ')}
protocols = imap pop3
listen = ${s.ip}
ssl = ${s.ssl ? 'yes' : 'no'}
${s.ssl ? `ssl_cert = <${d}/cert.pem\nssl_key = <${d}/key.pem\n` : ''}${s.ssl && s.minTls ? `ssl_min_protocol = ${s.minTls}\n` : ''}disable_plaintext_auth = ${s.disablePlaintextAuth ? 'yes' : 'no'}
auth_mechanisms = ${s.mechanisms.join(' ')}
# {PLAIN} scheme: CRAM-MD5 needs the plaintext-capable password.
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${d}/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${d}/home
}
mail_location = maildir:~/Maildir
service imap-login {
${listener('imap', s.ports.imap, false)}${s.ssl ? listener('imaps', s.ports.imaps, true) : '  inet_listener imaps {\n    port = 0\n  }\n'}}
service pop3-login {
${listener('pop3', s.ports.pop3, false)}${s.ssl ? listener('pop3s', s.ports.pop3s, true) : '  inet_listener pop3s {\n    port = 0\n  }\n'}}
`;
}

/** Caps the daemon's OpenSSL at one maximum protocol version (Dovecot 2.3 has no ssl_max_protocol). */
export function opensslMaxProtocolConf(maxProtocol) {
  return `openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MaxProtocol = ${maxProtocol}
`;
}
