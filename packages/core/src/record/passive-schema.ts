import { Type, type Static } from '@sinclair/typebox';

/** What `wildtls passive` adds to a record: the connection as the capture showed it. */
export const PassiveInfoSchema = Type.Object(
  {
    client: Type.Object({
      ip: Type.String({ description: "The client's address, or (the default) `hmac-sha256:` and the hex HMAC-SHA256 of it under the user's key (--client-key): the same client gives the same value under one key, and no address can be read back." }),
      port: Type.Integer({ minimum: 0, maximum: 65535 }),
    }, { additionalProperties: false }),
    captureStart: Type.String({ format: 'date-time', description: 'Capture time of the first packet of the connection.' }),
    captureEnd: Type.String({ format: 'date-time', description: 'Capture time of the last packet the follower looked at.' }),
    midStream: Type.Boolean({ description: 'The capture began inside the connection (no SYN seen): the dialog may be partial.' }),
    endReason: Type.Union([Type.Literal('fin'), Type.Literal('rst'), Type.Literal('idle'), Type.Literal('capture-end'), Type.Literal('buffer-cap'), Type.Literal('handshake-done'), Type.Literal('dialog-stopped'), Type.Literal('gap')], {
      description: 'Why following ended: the connection closed (fin, rst), went idle, the capture ended, the reassembly buffer cap was hit; or the follower had what it wanted (handshake-done: the TLS handshake failed, or completed and the client sent application data; gap: both directions had a hole; dialog-stopped: the client authenticated or began its transaction in the clear).',
    }),
    gaps: Type.Optional(Type.Object({ client: Type.Integer({ minimum: 0 }), server: Type.Integer({ minimum: 0 }) }, {
      additionalProperties: false,
      description: 'Bytes missing from the capture before following ended (packets the capture lost), per sender. Following stops at the first gap in a direction.',
    })),
    starttlsRequested: Type.Optional(Type.Boolean({ description: 'STARTTLS services: the client sent the STARTTLS command.' })),
    clientMechanism: Type.Optional(Type.String({ description: 'How the client authenticated in the clear, if it did: a SASL mechanism (PLAIN, LOGIN, CRAM-MD5...) or the protocol\'s plaintext command (IMAP LOGIN, POP3 USER, APOP). The name only: credentials are never read.' })),
    clientHello: Type.Optional(Type.Object({
      version: Type.String({ description: 'legacy_version as hex, e.g. 0x0303.' }),
      supportedVersions: Type.Array(Type.String(), { description: 'supported_versions as names (TLSv1.3...), GREASE left out.' }),
      cipherSuites: Type.Array(Type.Integer(), { description: 'Suite ids in the client\'s order, GREASE included (at most 512).' }),
      serverName: Type.Optional(Type.String()),
      alpn: Type.Array(Type.String()),
      groups: Type.Array(Type.String()),
      signatureAlgorithms: Type.Array(Type.Integer()),
      extensions: Type.Array(Type.Integer(), { description: 'Extension ids in the client\'s order.' }),
      sessionIdLength: Type.Integer({ minimum: 0 }),
      ticketOffered: Type.Boolean({ description: 'A non-empty session_ticket extension: the client tried TLS 1.2 ticket resumption.' }),
      pskOffered: Type.Boolean({ description: 'A pre_shared_key extension: the client tried TLS 1.3 resumption.' }),
    }, { additionalProperties: false })),
    ja3: Type.Optional(Type.String({ description: 'JA3 fingerprint (MD5 hex) of the ClientHello.' })),
    ja3Full: Type.Optional(Type.String({ description: 'The JA3 field string the hash is taken of.' })),
    ja4: Type.Optional(Type.String({ description: 'JA4 fingerprint (FoxIO) of the ClientHello, TCP.' })),
    resumed: Type.Optional(Type.Boolean({ description: 'The server resumed a session: echoed session id, an abbreviated TLS 1.2 handshake (ticket), or pre_shared_key accepted (TLS 1.3).' })),
    chainHidden: Type.Optional(Type.Boolean({ description: 'TLS 1.3: the certificate chain and OCSP staple are encrypted, so tls.chain is empty.' })),
    alertFrom: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('server')], { description: 'Who sent tls.alert.' })),
    applicationData: Type.Optional(Type.Boolean({ description: 'The client sent an encrypted record after its Finished: application data (TLS 1.3: or a rare post-handshake message).' })),
  },
  { additionalProperties: false, description: 'Present on records of `wildtls passive` (source "passive"): the connection as the capture showed it.' },
);
export type PassiveInfo = Static<typeof PassiveInfoSchema>;
