
/** Records as a hand-edited or hostile result file may hold them: right keys, wrong types. */
export const HOSTILE_RECORDS = [
  { ip: '192.0.2.9', port: 25, service: 'imap', tls: { chain: 'MIIB', completed: true, version: 7, cipherSuite: { name: 42 }, keyExchange: { kind: 'TLS13', group: 5, bits: 'x' }, ocspStapled: 'yes' }, sasl: { beforeTls: 'PLAIN', afterTls: [1, null, 'plain'] }, capabilities: { beforeTls: { a: 1 } } },
  { ip: '192.0.2.10', port: 25, service: 'imap', tls: { chain: [null, 5, {}, 'AAAA'], completed: true, keyExchange: { kind: 'DHE', bits: 2048 } }, starttls: 'yes', capabilities: 'none' },
  { ip: '192.0.2.11', port: 25, service: 'imap', tls: 'garbage', sasl: null, capabilities: null },
  { ip: '192.0.2.12', port: 25, service: 'imap' },
] as unknown as import('@wildtls/core').ProbeRecord[];
