import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { WildtlsError } from '@wildtls/core';
import type { Logger } from 'pino';

/** The URL as a user may see it: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export interface QueueConnectOptions {
  logger: Logger;
  /** How long to wait for the first connection (ms). */
  connectMs?: number;
  /** After a lost connection, how long to keep reconnecting before giving up (ms). */
  reconnectMs?: number;
}

/**
 * Connect to the Redis of `--queue redis://[user:password@]host:port/db`
 * (`rediss://` for TLS; the CA comes from WILDTLS_REDIS_CA, a PEM file, or
 * node's trust store). The first connection must succeed, or a usage error
 * names the URL (without the password). Later, a lost connection (Redis
 * restarted) is retried, and commands wait for it, for `reconnectMs`; then the
 * pending commands fail and the command ends with a clear error.
 */
export async function connectQueue(url: string, opts: QueueConnectOptions): Promise<Redis> {
  const shown = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--queue ${shown}: not a URL; give redis://[user:password@]HOST:PORT/DB or rediss://...`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new WildtlsError('WILDTLS_ERR_USAGE', `--queue ${shown}: the scheme must be redis:// or rediss:// (TLS)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new WildtlsError('WILDTLS_ERR_USAGE', `--queue ${shown}: the path must be a database number (/0, /1, ...)`);
  let ready = false;
  let downSince: number | undefined;
  const reconnectMs = opts.reconnectMs ?? 120_000;
  const ca = process.env.WILDTLS_REDIS_CA;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const options: RedisOptions = {
    host,
    port: parsed.port ? Number(parsed.port) : 6379,
    db: db ? Number(db) : 0,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca: readFileSync(ca) } : {}) } } : {}),
    lazyConnect: true,
    connectTimeout: opts.connectMs ?? 5000,
    // Commands wait while Redis is away (restart); the retry strategy bounds how long.
    maxRetriesPerRequest: null,
    retryStrategy: () => {
      if (!ready) return null;
      downSince ??= Date.now();
      if (Date.now() - downSince > reconnectMs) return null;
      return 500;
    },
  };
  const redis = new Redis(options);
  // Before the first connection, the cause (refused, WRONGPASS, certificate) comes as an 'error' event; connect() only says "Connection is closed".
  let firstError: Error | undefined;
  redis.on('error', (err: Error) => {
    if (!ready) firstError ??= err;
    if (ready) opts.logger.warn({ queue: shown, err: err.message }, 'redis connection error; reconnecting');
  });
  redis.on('ready', () => {
    if (downSince !== undefined) opts.logger.info({ queue: shown, downMs: Date.now() - downSince }, 'redis connection restored');
    downSince = undefined;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const msg = (firstError ?? (err as Error)).message;
    const auth = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username/i.test(msg);
    throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot use the Redis at ${shown}: ${auth ? `authentication failed (${msg})` : msg}`);
  }
  ready = true;
  return redis;
}
