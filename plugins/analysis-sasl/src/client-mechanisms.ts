import type { ProbeRecord, ReportTable } from '@wildtls/core';

/** The protocols' own clear-text logins, counted as plaintext beside the configured SASL mechanisms (APOP is not: it sends a digest). */
const PLAINTEXT_COMMANDS = ['LOGIN', 'USER'];

interface Row {
  service: string;
  port: number;
  notUpgraded: number;
  authenticated: number;
  plaintext: number;
}

const share = (n: number, d: number) => (d > 0 ? n / d : null);

/**
 * "Clients that did not upgrade used a plaintext mechanism" (the study's
 * passive text): per service and port of STARTTLS services, the passive
 * connections that stayed in the clear (no accepted STARTTLS), those whose
 * client authenticated in the clear (`passive.clientMechanism`), and of those
 * the ones whose mechanism is plaintext. Counted per connection.
 */
export class ClientMechanisms {
  private readonly rows = new Map<string, Row>();
  private readonly plaintext: ReadonlySet<string>;

  constructor(plaintextMechanisms: Iterable<string>) {
    this.plaintext = new Set([...plaintextMechanisms, ...PLAINTEXT_COMMANDS]);
  }

  add(r: ProbeRecord): void {
    if (r.mode !== 'starttls' || r.starttls?.upgraded) return;
    const mech: unknown = r.passive?.clientMechanism;
    this.addCounts(r.service, r.port, typeof mech === 'string' ? mech : undefined);
  }

  /** `n` connections that did not upgrade, on one service and port, with one client mechanism (undefined: none in the clear). */
  addCounts(service: string, port: number, mechanism: string | undefined, n = 1): void {
    const k = `${service}\t${port}`;
    let row = this.rows.get(k);
    if (!row) this.rows.set(k, (row = { service, port, notUpgraded: 0, authenticated: 0, plaintext: 0 }));
    row.notUpgraded += n;
    if (mechanism === undefined) return;
    row.authenticated += n;
    if (this.plaintext.has(mechanism.toUpperCase())) row.plaintext += n;
  }

  table(): ReportTable {
    const rows = [...this.rows.values()].sort((a, b) => a.service.localeCompare(b.service) || a.port - b.port);
    return {
      id: 'sasl-client-mechanisms',
      title: 'Clients that did not upgrade: authentication in the clear, and with a plaintext mechanism (passive)',
      paper: { ref: 'Section VII-B (passive: clients that did not upgrade)' },
      countingRule: 'per-connection',
      columns: [
        { key: 'service', title: 'Service', type: 'string' },
        { key: 'port', title: 'Port', type: 'integer' },
        { key: 'notUpgraded', title: 'Connections not upgraded', type: 'integer' },
        { key: 'authenticated', title: 'Authenticated in the clear', type: 'integer' },
        { key: 'plaintext', title: 'With a plaintext mechanism', type: 'integer' },
        { key: 'plaintextShare', title: 'Plaintext (of authenticated)', type: 'share' },
      ],
      rows: rows.map((r) => ({ ...r, plaintextShare: share(r.plaintext, r.authenticated) })),
    };
  }
}

export const CLIENT_MECHANISMS_NOTE = 'sasl-client-mechanisms (passive, per connection): STARTTLS services only; a connection did not upgrade when the server accepted no STARTTLS in it; it authenticated in the clear when the client sent AUTH/AUTHENTICATE (the mechanism name is recorded, never the credential), IMAP LOGIN, POP3 USER or APOP; plaintext: the configured plaintext mechanisms (default PLAIN, LOGIN) and the LOGIN and USER commands (APOP sends a digest).';
