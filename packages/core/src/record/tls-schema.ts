import { Type, type Static } from '@sinclair/typebox';

/** The engine's view of one TLS handshake: the record's `tls` part. */
export const TlsVersionSchema = Type.Union(
  [Type.Literal('SSLv2'), Type.Literal('SSLv3'), Type.Literal('TLSv1.0'), Type.Literal('TLSv1.1'), Type.Literal('TLSv1.2'), Type.Literal('TLSv1.3')],
  { description: 'Negotiated protocol version (from supported_versions for TLS 1.3).' },
);
export type TlsVersion = Static<typeof TlsVersionSchema>;

export const TlsErrorSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('alert'),
      Type.Literal('protocol'),
      Type.Literal('timeout'),
      Type.Literal('reset'),
      Type.Literal('closed'),
      Type.Literal('unsupported'),
      Type.Literal('internal'),
    ], { description: 'alert: the server sent a fatal alert; protocol: malformed or unexpected bytes; timeout: a read deadline passed; reset/closed: the peer ended the connection; unsupported: the server chose something the engine does not complete (the record keeps what it chose); internal: a wildtls bug, not the server\'s doing.' }),
    message: Type.String(),
    messageType: Type.Optional(Type.String({ description: 'Handshake or record type being parsed when the error happened.' })),
    offset: Type.Optional(Type.Integer({ description: 'Byte offset in the server stream where parsing failed.' })),
  },
  { additionalProperties: false },
);

export const SessionTicketSchema = Type.Object(
  {
    lifetime: Type.Integer({ minimum: 0, description: 'Seconds: ticket_lifetime_hint in TLS 1.2 (0 = unspecified), ticket_lifetime in TLS 1.3.' }),
    length: Type.Integer({ minimum: 0, description: 'Ticket length in bytes (the ticket itself is not kept).' }),
    keyName: Type.Optional(Type.String({ description: "The ticket's first 16 bytes, hex. In RFC 5077's recommended format (OpenSSL's), the name of the ticket-encryption key: the same value on several servers suggests a shared key." })),
    maxEarlyData: Type.Optional(Type.Integer({ minimum: 0, description: 'TLS 1.3 early_data extension: max_early_data_size.' })),
  },
  { additionalProperties: false },
);
export type SessionTicket = Static<typeof SessionTicketSchema>;

export const TlsInfoSchema = Type.Object(
  {
    version: Type.Optional(TlsVersionSchema),
    cipherSuite: Type.Optional(Type.Object({ id: Type.Integer(), name: Type.String() }, { additionalProperties: false })),
    keyExchange: Type.Optional(Type.Object({
      kind: Type.Union([Type.Literal('RSA'), Type.Literal('DHE'), Type.Literal('ECDHE'), Type.Literal('TLS13'), Type.Literal('other')]),
      group: Type.Optional(Type.String({ description: 'Named group (x25519, secp256r1, ffdhe2048, ...) when known.' })),
      bits: Type.Optional(Type.Integer({ description: 'DHE prime size or ECDHE curve size in bits.' })),
    }, { additionalProperties: false })),
    chain: Type.Array(Type.String({ contentEncoding: 'base64' }), { description: 'Certificates as the server sent them: base64 DER, in wire order, duplicates kept.' }),
    ocspStapled: Type.Boolean(),
    ocspResponse: Type.Optional(Type.String({ contentEncoding: 'base64' })),
    alpn: Type.Optional(Type.String()),
    serverExtensions: Type.Optional(Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() }, { additionalProperties: false }))),
    alert: Type.Optional(Type.Object({ level: Type.String(), description: Type.String(), code: Type.Integer() }, { additionalProperties: false })),
    profile: Type.Optional(Type.String({ description: 'ClientHello profile that produced this handshake.' })),
    fallbackStep: Type.Optional(Type.Integer({ minimum: 0, description: 'Index in the fallback ladder of the step that produced this result (0 = first).' })),
    refusedSteps: Type.Optional(Type.Array(Type.Object({
      step: Type.Integer({ minimum: 0 }),
      profile: Type.String(),
      kind: Type.Union([Type.Literal('alert'), Type.Literal('closed'), Type.Literal('reset')]),
      alert: Type.Optional(Type.String({ description: 'The alert the server sent, when it sent one.' })),
    }, { additionalProperties: false }), { description: 'Fallback-ladder steps the server refused before any ServerHello, in order. When every step was refused, the record is the first step\'s (how the server answered the main offer) and this lists all of them.' })),
    completed: Type.Boolean({ description: 'True when both Finished messages were exchanged and application data can flow.' }),
    notCompletedReason: Type.Optional(Type.String()),
    handshakeMs: Type.Optional(Type.Number()),
    helloRetry: Type.Optional(Type.Object({
      group: Type.Optional(Type.String()),
      cookie: Type.Boolean(),
    }, { additionalProperties: false, description: 'The server answered the first ClientHello with a HelloRetryRequest (TLS 1.3).' })),
    certificateRequested: Type.Optional(Type.Boolean({ description: 'The server sent a CertificateRequest (the engine answers with no certificate).' })),
    sslv2Reply: Type.Optional(Type.Boolean({ description: 'The server answered in the SSLv2 record format.' })),
    sessionTickets: Type.Optional(Type.Array(SessionTicketSchema, { maxItems: 8, description: 'NewSessionTicket messages in the order received, at most 8: TLS 1.2 tickets come within the handshake; TLS 1.3 tickets come after it, so they appear when the probe read on after the handshake (STARTTLS dialogs).' })),
    error: Type.Optional(TlsErrorSchema),
  },
  { additionalProperties: true },
);
export type TlsInfo = Static<typeof TlsInfoSchema>;
