import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { WildtlsError } from '../errors.js';

/** Bytes of a client key the command creates. */
export const CLIENT_KEY_BYTES = 32;

/**
 * The key that client addresses are hashed with: read from `file`, or, when
 * there is none, made from 32 random bytes and written with mode 0600
 * (exclusive create: an existing file is never overwritten). The user keeps
 * it: the same key gives the same hashes in later captures, and without it no
 * address can be tested against a hash.
 */
export function loadClientKey(file: string): Buffer {
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(CLIENT_KEY_BYTES).toString('hex') + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new WildtlsError('WILDTLS_ERR_USAGE', `cannot create the client key file ${file}: ${(err as Error).message}`);
  }
  const key = readFileSync(file);
  if (key.length < 16) throw new WildtlsError('WILDTLS_ERR_USAGE', `client key file ${file} holds ${key.length} bytes; a key needs at least 16 (delete it to have a new one made)`);
  return key;
}

/** Client addresses whose hash is remembered (a client makes many connections); cleared when full. */
const REMEMBERED_CLIENTS = 65536;

/** The keyed hash that replaces a client address: `hmac-sha256:` and the hex HMAC of its text form. */
export function clientAnonymizer(key: Buffer): (ip: string) => string {
  const seen = new Map<string, string>();
  return (ip) => {
    let h = seen.get(ip);
    if (h === undefined) {
      if (seen.size >= REMEMBERED_CLIENTS) seen.clear();
      h = `hmac-sha256:${createHmac('sha256', key).update(ip).digest('hex')}`;
      seen.set(ip, h);
    }
    return h;
  };
}
