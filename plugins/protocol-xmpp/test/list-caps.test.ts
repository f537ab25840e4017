import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS } from '@wildtls/core';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '@wildtls/protocol-xmpp';
import * as P from './fixtures/prosody-0.12.js';

/*
 * Stream features over the record's caps: the record keeps the first feature
 * names and mechanisms in server order and says how many the server listed;
 * <starttls/> with <required/>, and EXTERNAL on s2s, listed after the cap, are
 * still found (STARTTLS is sent). The expected lists are the declared ones,
 * cut where the caps say.
 */

/** This suite's loopback address (the list-caps block, 127.0.48.0/24). */
const HOST = '127.0.48.5';
const names = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
const SASL = "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'";
const TLS = "xmlns='urn:ietf:params:xml:ns:xmpp-tls'";

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(kind: 'xmpp-client' | 'xmpp-server', features: string) {
  server = await startScriptedServer({
    host: HOST,
    script: [
      { expectData: /<stream:stream[^>]*>/ },
      { send: `${kind === 'xmpp-client' ? P.C2S_HEADER : P.S2S_HEADER}<stream:features>${features}</stream:features>` },
      { expectData: /<starttls/ },
      { send: `<failure ${TLS}/>` },
    ],
  });
  return runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services.find((s) => s.name === kind)!, readTimeoutMs: 5000 });
}

describe('XMPP stream features over the record caps', () => {
  it('300 feature elements, 100 mechanisms, then <starttls><required/>: the first 256 names and 64 mechanisms kept, all counted, STARTTLS sent', async () => {
    const feats = names(300, 'f');
    const mechs = names(100, 'MECH-');
    const xml = feats.map((f) => `<${f} xmlns='urn:example:${f}'/>`).join('') + `<mechanisms ${SASL}>${mechs.map((m) => `<mechanism>${m}</mechanism>`).join('')}</mechanisms><starttls ${TLS}><required/></starttls>`;
    const r = await run('xmpp-client', xml);
    expect(r.status).toBe('starttls-refused');
    expect(r.starttls).toMatchObject({ offered: true, upgraded: false });
    // Listed: 300 features, mechanisms, starttls, starttls:required.
    expect(r.capabilities).toEqual({ beforeTls: feats.slice(0, MAX_CAPABILITIES), truncated: { beforeTls: feats.length + 3 } });
    expect(r.sasl).toEqual({ beforeTls: mechs.slice(0, MAX_SASL_MECHANISMS), truncated: { beforeTls: mechs.length } });
  });

  it('s2s: EXTERNAL as the 100th mechanism still marks mechanisms:EXTERNAL, kept while there is room', async () => {
    const mechs = [...names(99, 'MECH-'), 'EXTERNAL'];
    const r = await run('xmpp-server', `<starttls ${TLS}/><mechanisms ${SASL}>${mechs.map((m) => `<mechanism>${m}</mechanism>`).join('')}</mechanisms>`);
    expect(r.status).toBe('starttls-refused');
    expect(r.capabilities).toEqual({ beforeTls: ['starttls', 'mechanisms', 'mechanisms:EXTERNAL'] });
    expect(r.sasl).toEqual({ beforeTls: mechs.slice(0, MAX_SASL_MECHANISMS), truncated: { beforeTls: mechs.length } });
  });
});
