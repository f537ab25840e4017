/** Validity classes as the study counts them; a chain can be in several at once. */
export const VALIDITY_CLASSES = [
  'valid',
  'self-signed',
  'expired',
  'not-yet-valid',
  'unknown-issuer',
  'missing-intermediate',
  'bad-signature',
  'hostname-mismatch',
  'other',
] as const;
export type ValidityClass = (typeof VALIDITY_CLASSES)[number];

/** Every error the validator reports, each mapped onto one class. */
export const ERROR_CLASS = {
  'self-signed': 'self-signed',
  expired: 'expired',
  'not-yet-valid': 'not-yet-valid',
  'unknown-issuer': 'unknown-issuer',
  'missing-intermediate': 'missing-intermediate',
  'bad-signature': 'bad-signature',
  'hostname-mismatch': 'hostname-mismatch',
  'malformed-certificate': 'other',
  'not-a-ca': 'other',
  'ca-key-usage': 'other',
  'path-length-exceeded': 'other',
  'chain-too-long': 'other',
  'leaf-is-ca': 'other',
  'leaf-key-usage': 'other',
  'extended-key-usage': 'other',
  'name-constraints': 'other',
  'unknown-critical-extension': 'other',
  'malformed-extension': 'other',
  'duplicate-extension': 'other',
  'signature-algorithm-mismatch': 'other',
  'unsupported-version': 'other',
  'weak-key': 'other',
  'weak-signature': 'other',
  'validity-too-long': 'other',
  'invalid-serial': 'other',
  'key-identifiers': 'other',
  'empty-name': 'other',
  'invalid-san': 'other',
  'path-building-limit': 'other',
} as const satisfies Record<string, ValidityClass>;
export type ValidationError = keyof typeof ERROR_CLASS;

export function classesOf(errors: Iterable<ValidationError>): ValidityClass[] {
  const set = new Set<ValidityClass>();
  for (const e of errors) set.add(ERROR_CLASS[e]);
  if (set.size === 0) return ['valid'];
  return VALIDITY_CLASSES.filter((c) => set.has(c));
}

/** Exclusive class for stacked shares (Fig. 4): the first in this order that applies. */
export const PRIMARY_ORDER: readonly ValidityClass[] = [
  'self-signed', 'unknown-issuer', 'missing-intermediate', 'bad-signature', 'expired', 'not-yet-valid', 'other', 'hostname-mismatch', 'valid',
];

export function primaryClass(classes: readonly ValidityClass[]): ValidityClass {
  return PRIMARY_ORDER.find((c) => classes.includes(c)) ?? 'valid';
}
