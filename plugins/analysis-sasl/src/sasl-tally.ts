/**
 * The counts of one SASL population (servers that listed capabilities in
 * one phase, or connections): what each mechanism list adds. The study's
 * tables are shares of such a population; which population a table uses is
 * decided by the analyzer, never here.
 */
export class SaslTally {
  /** Members of the population: servers (or connections) that listed capabilities in this phase. */
  population = 0;
  /** Of those, with at least one SASL mechanism. */
  withSasl = 0;
  readonly mechanisms = new Map<string, number>();
  /** Ordered lists, joined with one space. */
  readonly combinations = new Map<string, number>();
  anyPlaintext = 0;
  anyCram = 0;
  anyScram = 0;
  anyCramOrScram = 0;
  plaintextOnly = 0;
  plaintextFirst = 0;
  /** IMAP members whose capability list was read, and those listing LOGINDISABLED. */
  imapWithCapabilities = 0;
  loginDisabled = 0;

  constructor(private readonly plaintext: ReadonlySet<string>) {}

  /**
   * One member: its mechanisms in server order (normalised, possibly empty),
   * and for IMAP its raw capability list (undefined when not read).
   */
  add(mechanisms: readonly string[], imapCapabilities: readonly string[] | undefined, weight = 1): void {
    this.population += weight;
    if (imapCapabilities) {
      this.imapWithCapabilities += weight;
      if (imapCapabilities.some((c) => c.toUpperCase() === 'LOGINDISABLED')) this.loginDisabled += weight;
    }
    if (!mechanisms.length) return;
    this.withSasl += weight;
    let plain = false;
    let cram = false;
    let scram = false;
    let onlyPlain = true;
    for (const m of new Set(mechanisms)) {
      inc(this.mechanisms, m, weight);
      if (this.plaintext.has(m)) plain = true;
      else onlyPlain = false;
      if (m.startsWith('CRAM-')) cram = true;
      if (m.startsWith('SCRAM-')) scram = true;
    }
    inc(this.combinations, mechanisms.join(' '), weight);
    if (plain) this.anyPlaintext += weight;
    if (cram) this.anyCram += weight;
    if (scram) this.anyScram += weight;
    if (cram || scram) this.anyCramOrScram += weight;
    if (onlyPlain) this.plaintextOnly += weight;
    if (this.plaintext.has(mechanisms[0]!)) this.plaintextFirst += weight;
  }

  /** Add another tally's counts (pooled rows). */
  merge(o: SaslTally): void {
    this.population += o.population;
    this.withSasl += o.withSasl;
    for (const [k, v] of o.mechanisms) inc(this.mechanisms, k, v);
    for (const [k, v] of o.combinations) inc(this.combinations, k, v);
    this.anyPlaintext += o.anyPlaintext;
    this.anyCram += o.anyCram;
    this.anyScram += o.anyScram;
    this.anyCramOrScram += o.anyCramOrScram;
    this.plaintextOnly += o.plaintextOnly;
    this.plaintextFirst += o.plaintextFirst;
    this.imapWithCapabilities += o.imapWithCapabilities;
    this.loginDisabled += o.loginDisabled;
  }
}

function inc(m: Map<string, number>, k: string, by: number): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/** Entries by count, then by name: a stable ranking. */
export function byCount(m: Map<string, number>): Array<[string, number]> {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
