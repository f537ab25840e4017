import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { WildtlsError } from '../errors.js';
import { TlsVersionSchema } from '../record/tls-schema.js';
import type { TlsProfileRef } from './engine.js';
import { cipherSuiteId } from './cipher-suites.js';
import { EXTENSIONS, GROUPS, SIGNATURE_ALGORITHMS } from './names.js';
import { BUILTIN_PROFILES, DEFAULT_PROFILE } from './builtin-profiles.js';

export { BUILTIN_PROFILES, DEFAULT_PROFILE };

/**
 * A ClientHello profile is data: every field below maps to bytes of the
 * ClientHello. `extensions` lists the extensions to send, in order; their
 * contents come from the other fields. A user profile may `extends` a
 * built-in one and override any field.
 */
export const TlsProfileSchema = Type.Object(
  {
    name: Type.String(),
    extends: Type.Optional(Type.String({ description: 'Built-in or earlier profile whose fields are the defaults.' })),
    description: Type.Optional(Type.String()),
    recordVersion: TlsVersionSchema,
    clientVersion: TlsVersionSchema,
    supportedVersions: Type.Array(TlsVersionSchema, { description: 'Sent in supported_versions (only when that extension is listed).' }),
    cipherSuites: Type.Array(Type.Union([Type.String(), Type.Integer({ minimum: 0, maximum: 0xffff })]), { minItems: 1 }),
    compressionMethods: Type.Array(Type.Integer({ minimum: 0, maximum: 255 }), { minItems: 1 }),
    extensions: Type.Array(Type.String()),
    groups: Type.Array(Type.String()),
    keyShares: Type.Array(Type.String({ description: 'Groups to send a key share for (x25519, secp256r1, secp384r1).' })),
    signatureAlgorithms: Type.Array(Type.String()),
    pointFormats: Type.Array(Type.Integer({ minimum: 0, maximum: 255 })),
    alpn: Type.Array(Type.String({ minLength: 1, maxLength: 255 })),
    sessionIdLength: Type.Integer({ minimum: 0, maximum: 32, description: 'Random legacy_session_id bytes (32 = TLS 1.3 middlebox compatibility).' }),
  },
  { additionalProperties: false },
);
export type TlsProfile = Static<typeof TlsProfileSchema>;

const KNOWN_SHARES = new Set(['x25519', 'secp256r1', 'secp384r1', 'secp521r1']);

function fail(name: string, field: string, what: string): never {
  throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `tls.profiles.${name}.${field}: ${what}`);
}

/** Check a merged profile field by field; the error names the profile and the field. */
export function validateProfile(p: unknown, name: string): TlsProfile {
  if (!Value.Check(TlsProfileSchema, p)) {
    const e = Value.Errors(TlsProfileSchema, p).First();
    const field = e ? e.path.replace(/^\//, '').replace(/\//g, '.') || '(root)' : '(root)';
    fail(name, field, e?.message ?? 'invalid');
  }
  p.cipherSuites.forEach((s, i) => {
    if (cipherSuiteId(s) === undefined) fail(name, `cipherSuites.${i}`, `unknown cipher suite ${JSON.stringify(s)} (use an IANA name or a number)`);
  });
  p.extensions.forEach((x, i) => {
    if (!(x in EXTENSIONS) || x === 'pre_shared_key' || x === 'early_data') fail(name, `extensions.${i}`, `unsupported extension ${JSON.stringify(x)}`);
  });
  p.groups.forEach((g, i) => {
    if (!(g in GROUPS)) fail(name, `groups.${i}`, `unknown group ${JSON.stringify(g)}`);
  });
  p.keyShares.forEach((g, i) => {
    if (!KNOWN_SHARES.has(g)) fail(name, `keyShares.${i}`, `no key share for ${JSON.stringify(g)} (x25519, secp256r1, secp384r1, secp521r1)`);
  });
  p.signatureAlgorithms.forEach((s, i) => {
    if (!(s in SIGNATURE_ALGORITHMS) && !/^0x[0-9a-f]{4}$/i.test(s)) fail(name, `signatureAlgorithms.${i}`, `unknown signature algorithm ${JSON.stringify(s)}`);
  });
  return p;
}

/**
 * Resolve a profile name: a user profile (config `tls.profiles`) wins over a
 * built-in one of the same name. Throws a coded error naming the profile and
 * the field when a user profile is invalid.
 */
export function resolveProfile(name: string, userProfiles: Record<string, unknown> = {}, seen: string[] = []): TlsProfile & TlsProfileRef {
  if (seen.includes(name)) fail(name, 'extends', `circular extends (${[...seen, name].join(' -> ')})`);
  const user = userProfiles[name];
  if (user === undefined) {
    const builtin = BUILTIN_PROFILES[name];
    if (!builtin) {
      throw new WildtlsError('WILDTLS_ERR_CONFIG_INVALID', `unknown TLS profile "${name}": use study, modern, compat, ssl3 or define it under tls.profiles`);
    }
    return builtin;
  }
  if (typeof user !== 'object' || user === null || Array.isArray(user)) fail(name, '(root)', 'must be a mapping');
  const u = user as Record<string, unknown>;
  const base = typeof u.extends === 'string'
    ? u.extends === name ? resolveProfile(name, {}) : resolveProfile(u.extends, userProfiles, [...seen, name])
    : u.extends === undefined ? undefined : fail(name, 'extends', 'must be a profile name');
  const merged = { ...(base ?? {}), ...u, name };
  delete (merged as { extends?: unknown }).extends;
  return validateProfile(merged, name);
}

/** The profile object the engine was handed: a full profile, or a bare name of a built-in one. */
export function profileOf(ref: TlsProfileRef): TlsProfile {
  if (Array.isArray(ref.cipherSuites)) return ref as unknown as TlsProfile;
  return BUILTIN_PROFILES[ref.name] ?? BUILTIN_PROFILES[DEFAULT_PROFILE]!;
}
