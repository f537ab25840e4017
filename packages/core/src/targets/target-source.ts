/** A target as a source yields it; the scan expands it into one probe per (service, port). */
export interface TargetInput {
  ip: string;
  /** A port fixed by the source (zmap CSV); otherwise each service's port. */
  port?: number;
  /** Host name the address came from (for SNI and hostname checks). */
  domain?: string;
  /** The mail domain whose MX records named `domain` (MX services of a domain list). */
  mailDomain?: string;
  /** Restrict to one service; otherwise every service of the scan. */
  service?: string;
  /**
   * Where the target sits in the source's stream (a step of the permutation,
   * a line of the input). Several targets may share one position (a domain's
   * addresses); positions never decrease. Resume restarts at a position.
   */
  position?: number;
}

export interface TargetSourceStats {
  /** Targets removed by the blocklist (or outside the allowlist). */
  excluded: number;
  /** Inputs that could not be understood (or host names that did not resolve). */
  invalid: number;
  /** The first address removed by the blocklist, when the source tracks it (for the hint when every target was excluded). */
  firstExcluded?: string;
}

export interface TargetStreamOptions {
  /** Start at this position (resume): everything before it is skipped without being counted. */
  from?: number;
}

export interface TargetSource {
  targets(options?: TargetStreamOptions): AsyncIterable<TargetInput>;
  /** Counters since the stream started (a resumed stream counts from its start position). */
  stats(): TargetSourceStats;
  /** Total number of positions, when knowable up front (for progress and ETA). */
  total?(): number | undefined;
  /**
   * Read what the source reads in full before its stream starts (an input
   * file), so that total() can answer before the scan starts; the scan calls
   * it once, before targets().
   */
  prepare?(): Promise<unknown>;
  /** What identifies this stream's order (seed, shard, inputs): a resume must match it. */
  fingerprint?(): string;
}
