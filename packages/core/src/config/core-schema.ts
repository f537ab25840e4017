import { Type, type Static } from '@sinclair/typebox';

const Cidr = Type.String({ description: 'An address or CIDR range, IPv4 or IPv6.' });

/** The scan section: what to scan, how fast, with which deadlines. */
export const ScanSettingsSchema = Type.Object(
  {
    protocols: Type.Array(Type.String(), { default: [], description: 'Services to probe (smtp, imaps, xmpp-client, tls, ...).' }),
    ports: Type.Array(Type.Integer({ minimum: 1, maximum: 65535 }), { default: [], description: "Ports to probe instead of each service's default port." }),
    servicePorts: Type.Record(Type.String(), Type.Array(Type.Integer({ minimum: 1, maximum: 65535 })), { default: {}, description: 'Ports per service (e.g. { smtp: [25, 2525] }), overriding `ports` and the default port for that service.' }),
    targets: Type.Array(Type.String(), { default: [], description: 'Addresses, CIDR ranges or host names.' }),
    input: Type.Optional(Type.String({ description: 'File with more targets, one per line ("-" for stdin).' })),
    allow: Type.Array(Cidr, { default: [], description: 'Ranges to allow although the default blocklist excludes them (loopback runs need 127.0.0.0/8).' }),
    blocklist: Type.Array(Type.String(), { default: [], description: 'Blocklist files: one CIDR per line, # comments.' }),
    allowlist: Type.Optional(Type.String({ description: 'Allowlist file: restrict the scan to these ranges.' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Seed of the target permutation; the same seed gives the same order.' })),
    shards: Type.Integer({ minimum: 1, default: 1 }),
    shard: Type.Integer({ minimum: 0, default: 0 }),
    rate: Type.Number({ minimum: 0, default: 100, description: 'New connections per second (0 = unlimited).' }),
    concurrency: Type.Integer({ minimum: 1, default: 100, description: 'Connections in flight at once.' }),
    workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'Probe worker threads (each its own event loop and TLS engine; the target plan, rate limit, checkpoint and output stay in the main thread). 1 = probes run in the main thread. Default (unset): the main thread probes, and up to one worker per other core joins it while the probing threads are saturated (event loops busy 90% of two seconds in a row) and at least workerMinProbes probes remain per worker added: a scan bound by the network or the rate limit, or a small one, stays in one thread (a worker costs about half a second of CPU to start and warm up).' })),
    workerMinProbes: Type.Integer({ minimum: 1, default: 8192, description: 'With workers unset: probes that must remain for each worker thread added during the scan.' }),
    perNetworkConcurrency: Type.Integer({ minimum: 1, default: 16, description: 'Connections in flight per network (see networkPrefix).' }),
    networkPrefix: Type.Object({ v4: Type.Integer({ minimum: 0, maximum: 32, default: 24 }), v6: Type.Integer({ minimum: 0, maximum: 128, default: 48 }) }, { default: {} }),
    timeout: Type.Object(
      {
        connect: Type.Integer({ minimum: 1, default: 5000, description: 'ms' }),
        read: Type.Integer({ minimum: 1, default: 10000, description: 'ms, for each read' }),
        probe: Type.Integer({ minimum: 1, default: 30000, description: 'ms, for the whole probe' }),
      },
      { default: {} },
    ),
    connectRetries: Type.Integer({ minimum: 0, maximum: 5, default: 1 }),
    maxLineBytes: Type.Integer({ minimum: 64, default: 8192 }),
    maxBytes: Type.Integer({ minimum: 1024, default: 1048576, description: 'Cap on bytes received per probe.' }),
    checkpoint: Type.Optional(Type.String({ description: 'Checkpoint file: written periodically and on shutdown; read by --resume.' })),
    source: Type.String({ default: 'cidr', description: 'Target source: cidr (addresses, ranges, host names), ipv4-all, zmap (zmap output on stdin or --input), domains (domain list; MX first for SMTP), or the id of a target-source plugin.' }),
    order: Type.Union([Type.Literal('permuted'), Type.Literal('sequential')], { default: 'permuted', description: 'Visit ranges in a seeded pseudo-random permutation (zmap-style) or in address order.' }),
    resume: Type.Boolean({ default: false, description: 'Continue the scan recorded in the checkpoint file (same targets, seed and shard; output appended).' }),
    checkpointInterval: Type.Integer({ minimum: 100, default: 5000, description: 'ms between checkpoint writes.' }),
    shutdownGrace: Type.Integer({ minimum: 0, default: 15000, description: 'ms that in-flight probes get to finish after SIGINT/SIGTERM.' }),
    burst: Type.Optional(Type.Integer({ minimum: 1, description: 'Token bucket size (default: 10 ms worth of --rate).' })),
    progress: Type.Union([Type.Literal('auto'), Type.Literal('bar'), Type.Literal('log'), Type.Literal('off')], { default: 'auto', description: 'Progress display: a live bar on a TTY, periodic log lines otherwise (auto).' }),
    progressInterval: Type.Integer({ minimum: 100, default: 10000, description: 'ms between progress log lines.' }),
    dns: Type.Object(
      {
        servers: Type.Array(Type.String(), { default: [], description: 'Resolver addresses ("192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:53"); empty = the system resolvers.' }),
        rate: Type.Number({ minimum: 0, default: 200, description: 'DNS queries per second (0 = unlimited).' }),
        concurrency: Type.Integer({ minimum: 1, default: 50, description: 'DNS queries in flight (also how many domains are resolved ahead of the scan).' }),
        timeout: Type.Integer({ minimum: 1, default: 3000, description: 'ms per DNS query attempt' }),
        tries: Type.Integer({ minimum: 1, default: 2 }),
        cacheSize: Type.Integer({ minimum: 0, default: 100000, description: 'DNS answers kept in the cache.' }),
        maxTtl: Type.Integer({ minimum: 0, default: 3600000, description: 'ms; cached answers live min(TTL, this).' }),
        ipv6: Type.Boolean({ default: true, description: 'Resolve AAAA as well as A.' }),
        mxServices: Type.Array(Type.String(), { default: ['smtp'], description: 'Services whose targets are a domain\'s MX hosts rather than the domain itself.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const TlsSettingsSchema = Type.Object(
  {
    engine: Type.Union([Type.Literal('raw'), Type.Literal('node')], { default: 'raw', description: 'raw: the wildtls engine; node: stock node:tls (reference only).' }),
    profile: Type.String({ default: 'study', description: "ClientHello profile: study (the study's OpenSSL 1.0.2 offer plus TLS 1.3), modern, compat, ssl3, or one defined under profiles." }),
    fallback: Type.Array(Type.String(), { default: ['compat', 'ssl3'], description: 'Profiles tried in order, each on a new connection, after `profile` is refused ([] = no fallback).' }),
    observeOnly: Type.Boolean({ default: false, description: "Stop after the server's first flight (census mode)." }),
    sni: Type.Boolean({ default: true, description: 'Send SNI when the target has a host name.' }),
    profiles: Type.Record(Type.String(), Type.Object({}, { additionalProperties: true }), { default: {}, description: 'User-defined ClientHello profiles.' }),
    keyShareReuse: Type.Object(
      {
        handshakes: Type.Integer({ minimum: 1, default: 64, description: 'Handshakes one ephemeral key share of ours may serve (1 = a fresh share for every handshake).' }),
        seconds: Type.Number({ exclusiveMinimum: 0, default: 10, description: 'Seconds one key share of ours may be used.' }),
      },
      { additionalProperties: false, default: {}, description: "Reuse the raw engine's own (client) ephemeral key shares across handshakes, within both bounds: a fresh X25519 + P-256 pair costs about a tenth of a TLS 1.3 probe; what servers see and what is recorded do not change (docs/tls-engine.md)." },
    ),
  },
  { additionalProperties: false, default: {} },
);

export const SinkEntrySchema = Type.Object(
  { use: Type.String({ description: 'Sink id: jsonl, duckdb (a result store; give its path, see docs/store.md) or a sink plugin id.' }) },
  { additionalProperties: true },
);

export const OutputSettingsSchema = Type.Object(
  {
    path: Type.String({ default: '-', description: 'Output file: JSONL ("-" = stdout), or a DuckDB result store when it ends in .duckdb (docs/store.md).' }),
    gzip: Type.Optional(Type.Boolean()),
    sinks: Type.Array(SinkEntrySchema, { default: [], description: 'More sinks, each fed every record.' }),
  },
  { additionalProperties: false, default: {} },
);

export const LogSettingsSchema = Type.Object(
  {
    level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
    file: Type.Optional(Type.String({ description: 'Write the log to this file, as JSON lines, instead of stderr.' })),
    format: Type.Union([Type.Literal('pretty'), Type.Literal('json')], {
      default: 'pretty',
      description: "On stderr: one human line per message (`wildtls: warn: ...`) or pino's JSON lines (json). Progress lines follow it.",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const CoreConfigSchema = Type.Object(
  {
    plugins: Type.Optional(Type.Array(Type.String(), { description: 'Plugins to load: npm package names or paths. Default: the built-in list.' })),
    analyses: Type.Array(Type.String(), { default: [], description: 'Analysis ids to run live during a scan.' }),
    scan: ScanSettingsSchema,
    tls: TlsSettingsSchema,
    output: OutputSettingsSchema,
    log: LogSettingsSchema,
    options: Type.Object({}, { additionalProperties: true, default: {}, description: "Each plugin's own section, keyed by plugin id." }),
  },
  { additionalProperties: false },
);

export type ScanSettings = Static<typeof ScanSettingsSchema>;
export type TlsSettings = Static<typeof TlsSettingsSchema>;
export type WildtlsConfig = Static<typeof CoreConfigSchema>;
