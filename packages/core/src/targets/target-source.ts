/** A target as a source yields it; the scan expands it into one probe per (service, port). */
export interface TargetInput {
  ip: string;
  /** A port fixed by the source (zmap CSV); otherwise each service's port. */
  port?: number;
  /** Host name the address came from (for SNI and hostname checks). */
  domain?: string;
  /** Restrict to one service; otherwise every service of the scan. */
  service?: string;
}

export interface TargetSourceStats {
  /** Targets removed by the blocklist (or outside the allowlist). */
  excluded: number;
  /** Inputs that could not be understood. */
  invalid: number;
}

export interface TargetSource {
  targets(): AsyncIterable<TargetInput>;
  stats(): TargetSourceStats;
  /** Best-effort total, when knowable up front (for progress). */
  total?(): number | undefined;
}
