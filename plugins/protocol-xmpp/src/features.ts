import type { XmlElement } from './xml-stream.js';

export const TLS_NS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';

export interface StreamFeatures {
  /** One entry per feature child, in the server's order: its local name, plus `starttls:required`, `mechanisms:EXTERNAL` (s2s). */
  capabilities: string[];
  /** SASL mechanisms (RFC 6120 `<mechanisms>`), in the server's order, upper-cased, de-duplicated. */
  sasl: string[];
  startTls: boolean;
  startTlsRequired: boolean;
}

/**
 * Read `<stream:features>` (RFC 6120 section 4.3.2). Each feature child is
 * recorded by its local name (`starttls`, `mechanisms`, `sm`, `dialback`,
 * `register`, `bind`, `c`, ...) with duplicates dropped, so a server that
 * offers two versions of one feature (sm:2 and sm:3) shows it once.
 */
export function parseFeatures(features: XmlElement, server: boolean): StreamFeatures {
  // Sets keep the de-duplication linear however many children a server sends.
  const capabilities = new Set<string>();
  const sasl = new Set<string>();
  let startTls = false;
  let startTlsRequired = false;
  const add = (c: string) => capabilities.add(c);
  for (const f of features.children) {
    add(f.local);
    if (f.local === 'starttls' && f.uri === TLS_NS) {
      startTls = true;
      if (f.children.some((c) => c.local === 'required')) {
        startTlsRequired = true;
        add('starttls:required');
      }
    } else if (f.local === 'mechanisms' && f.uri === SASL_NS) {
      for (const m of f.children) {
        if (m.local !== 'mechanism') continue;
        const name = m.text.trim().toUpperCase();
        if (name) sasl.add(name);
      }
      // On s2s, SASL EXTERNAL is how a server authenticates with its certificate (XEP-0178).
      if (server && sasl.has('EXTERNAL')) add('mechanisms:EXTERNAL');
    }
  }
  return { capabilities: [...capabilities], sasl: [...sasl], startTls, startTlsRequired };
}
