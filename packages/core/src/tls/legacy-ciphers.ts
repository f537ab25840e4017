import { createCipheriv } from 'node:crypto';

/**
 * Block ciphers that OpenSSL 3 keeps in its legacy provider (SEED, IDEA, single
 * DES). Node loads that provider only when started with
 * `--openssl-legacy-provider` (or an OPENSSL_CONF that activates it), so
 * whether the engine can complete such a suite is a property of the running
 * process: detected once per cipher, on first need.
 */
const LEGACY: Record<string, { key: number; iv: number; label: string }> = {
  'seed-cbc': { key: 16, iv: 16, label: 'SEED-CBC' },
  'idea-cbc': { key: 16, iv: 8, label: 'IDEA-CBC' },
  'des-cbc': { key: 8, iv: 8, label: 'DES-CBC' },
};

const available = new Map<string, boolean>();

function probe(cipher: string): boolean {
  const spec = LEGACY[cipher]!;
  try {
    createCipheriv(cipher, Buffer.alloc(spec.key, 1), Buffer.alloc(spec.iv)).final();
    return true;
  } catch {
    return false;
  }
}

/** Why this process cannot run `cipher`, or undefined when it can (or it is not a legacy cipher). */
export function legacyCipherMissing(cipher: string): string | undefined {
  const spec = LEGACY[cipher];
  if (!spec) return undefined;
  let ok = available.get(cipher);
  if (ok === undefined) available.set(cipher, (ok = probe(cipher)));
  return ok ? undefined : `${spec.label} needs OpenSSL's legacy provider, which this Node process did not load (start node with --openssl-legacy-provider)`;
}
