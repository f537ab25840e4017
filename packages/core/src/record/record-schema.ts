import { Type, type Static } from '@sinclair/typebox';
import { PROBE_STATUSES } from './status.js';
import { TlsInfoSchema } from './tls-schema.js';
import { PassiveInfoSchema } from './passive-schema.js';
import { CAPABILITY_ENTRY_LENGTH, MAX_CAPABILITIES, MAX_SASL_MECHANISMS, SASL_NAME_LENGTH } from './list-caps.js';

const StatusSchema = Type.Union(PROBE_STATUSES.map((s) => Type.Literal(s)));

/** A list per phase (before and after TLS), cut at `cap` entries; `truncated` counts what a cut list held. */
function PhaseLists(description: string, cap: number) {
  const count = Type.Optional(Type.Integer({ minimum: cap + 1 }));
  return Type.Object(
    {
      beforeTls: Type.Optional(Type.Array(Type.String(), { maxItems: cap })),
      afterTls: Type.Optional(Type.Array(Type.String(), { maxItems: cap })),
      truncated: Type.Optional(Type.Object({ beforeTls: count, afterTls: count }, {
        additionalProperties: false,
        description: `Present for a phase whose list was cut: the server listed more entries after the first ${cap} were kept. The number is how many entries it listed in that phase, repeats included.`,
      })),
    },
    { additionalProperties: false, description },
  );
}

/**
 * One record per (target, port, service) probe. Field names are stable: they
 * are the contract between scans, analyses and users' scripts.
 */
export const ProbeRecordSchema = Type.Object(
  {
    ip: Type.String({ description: 'Address probed (IPv4 or IPv6).' }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    domain: Type.Optional(Type.String({ description: 'Host name the target came from, used for SNI and hostname checks.' })),
    mailDomain: Type.Optional(Type.String({ description: 'For a target reached through MX records of a domain list: the mail domain whose MX records named `domain` (the MX host).' })),
    service: Type.String({ description: 'Service name, e.g. smtp, imaps, xmpp-client, tls.' }),
    protocol: Type.String({ description: 'Id of the protocol plugin that ran the dialog.' }),
    mode: Type.Union([Type.Literal('starttls'), Type.Literal('implicit')]),
    status: StatusSchema,
    error: Type.Optional(Type.Object({ reason: Type.String(), message: Type.String() }, { additionalProperties: false })),
    startedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number(),
    bytesReceived: Type.Optional(Type.Integer({ minimum: 0, description: "Raw bytes read from the socket in the probe's final attempt, before and after TLS (absent when the connection never opened). 0 marks a host whose port is open but that never sent a byte (the study's background noise)." })),
    banner: Type.Optional(Type.String({ description: 'Greeting or banner, as received (bounded).' })),
    starttls: Type.Optional(Type.Object({
      offered: Type.Boolean({ description: 'The server offered STARTTLS (so it was sent).' }),
      upgraded: Type.Boolean({ description: 'The server accepted the STARTTLS command (SMTP 220, IMAP tagged OK, POP3 +OK, XMPP <proceed/>, IRC 670), whatever the handshake then did: tls.completed says whether it completed.' }),
      reply: Type.Optional(Type.String({ description: "Server's exact reply to the STARTTLS command." })),
    }, { additionalProperties: false })),
    capabilities: Type.Optional(PhaseLists(`Capability entries per phase, in the server's order: at most ${MAX_CAPABILITIES} per phase (the first), each escaped and cut at ${CAPABILITY_ENTRY_LENGTH} characters.`, MAX_CAPABILITIES)),
    sasl: Type.Optional(PhaseLists(`SASL mechanisms per phase, in the server's order, upper-cased, de-duplicated: at most ${MAX_SASL_MECHANISMS} per phase (the first), each escaped and cut at ${SASL_NAME_LENGTH} characters.`, MAX_SASL_MECHANISMS)),
    tls: Type.Optional(TlsInfoSchema),
    source: Type.Optional(Type.Literal('passive', { description: 'Absent on scan records; "passive" on records of `wildtls passive`: one per TCP connection seen in a capture, `ip`/`port` being the server\'s.' })),
    passive: Type.Optional(PassiveInfoSchema),
  },
  {
    $id: 'https://wildtls.dev/schema/record.json',
    title: 'wildtls probe record',
    description: 'One JSON object per line of a wildtls JSONL result file. Plugins may add top-level keys named after themselves.',
    additionalProperties: true,
  },
);

type CoreRecord = Static<typeof ProbeRecordSchema>;

/**
 * Plugins add typed fields by module augmentation, as fastify does:
 *
 *   declare module '@wildtls/core' {
 *     interface ProbeRecordExtensions { http?: { server?: string } }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: plugins add their fields by module augmentation, which needs an interface
export interface ProbeRecordExtensions {}

export interface ProbeRecord extends CoreRecord, ProbeRecordExtensions {}
