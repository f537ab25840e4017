import { CappedList, MAX_CAPABILITIES, MAX_SASL_MECHANISMS, cappedView, mechanismName, type CapabilityView } from '@wildtls/core';
import type { XmlElement } from './xml-stream.js';

export const TLS_NS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const SASL_NS = 'urn:ietf:params:xml:ns:xmpp-sasl';

export interface StreamFeatures extends CapabilityView {
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
 * offers two versions of one feature (sm:2 and sm:3) shows it once. Both lists
 * keep what a record keeps (MAX_CAPABILITIES, MAX_SASL_MECHANISMS entries; the
 * marker entries count as entries); STARTTLS, `<required/>` and EXTERNAL are
 * found wherever they come. The elements themselves are already built by the
 * XML parser, under its maxElements and maxStreamBytes bounds.
 */
export function parseFeatures(features: XmlElement, server: boolean): StreamFeatures {
  const capabilities = new CappedList(MAX_CAPABILITIES, true);
  const sasl = new CappedList(MAX_SASL_MECHANISMS, true);
  let startTls = false;
  let startTlsRequired = false;
  for (const f of features.children) {
    capabilities.add(f.local);
    if (f.local === 'starttls' && f.uri === TLS_NS) {
      startTls = true;
      if (f.children.some((c) => c.local === 'required')) {
        startTlsRequired = true;
        capabilities.add('starttls:required');
      }
    } else if (f.local === 'mechanisms' && f.uri === SASL_NS) {
      let external = false;
      for (const m of f.children) {
        if (m.local !== 'mechanism') continue;
        const name = m.text.trim();
        if (!name) continue;
        const upper = mechanismName(name);
        if (upper === 'EXTERNAL') external = true;
        sasl.add(upper);
      }
      // On s2s, SASL EXTERNAL is how a server authenticates with its certificate (XEP-0178).
      if (server && external) capabilities.add('mechanisms:EXTERNAL');
    }
  }
  return { ...cappedView(capabilities, sasl, startTls), startTlsRequired };
}
