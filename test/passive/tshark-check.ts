import { expect } from 'vitest';
import { groupName, type ProbeRecord } from '@wildtls/core';
import { tsharkFields } from './capture-harness.js';

const ints = (s: string | undefined) => (s ? s.split(';').map((v) => Number(v)) : []);

/** One handshake message's dissection per connection, keyed by the client's port. */
function byClientPort(file: string, type: number, fields: string[], decodeAs: string[]): Map<number, string[]> {
  const portField = type === 1 ? 'tcp.srcport' : 'tcp.dstport';
  const rows = tsharkFields(file, [portField, ...fields], `tls.handshake.type == ${type}`, decodeAs);
  return new Map(rows.map(([port, ...rest]) => [Number(port), rest]));
}

/**
 * Every TLS field of the passive records against tshark's dissection of the
 * same capture: the ClientHello's suites, extensions, groups, signature
 * algorithms, versions, SNI and JA3; the ServerHello's suite and version; the
 * key exchange size; the chain's bytes. Returns how many records it checked.
 */
export function checkAgainstTshark(file: string, records: ProbeRecord[], decodeAs: string[] = []): number {
  const ch = byClientPort(file, 1, ['tls.handshake.ciphersuite', 'tls.handshake.extensions_server_name', 'tls.handshake.ja3', 'tls.handshake.ja3_full', 'tls.handshake.extension.type', 'tls.handshake.extensions_supported_group', 'tls.handshake.sig_hash_alg', 'tls.handshake.extensions.supported_version', 'tls.handshake.version', 'tls.handshake.extensions_alpn_str'], decodeAs);
  const sh = byClientPort(file, 2, ['tls.handshake.ciphersuite', 'tls.handshake.version', 'tls.handshake.extensions.supported_version', 'tls.handshake.extensions_key_share_group'], decodeAs);
  const ske = byClientPort(file, 12, ['tls.handshake.p_len', 'tls.handshake.server_named_curve'], decodeAs);
  const cert = byClientPort(file, 11, ['tls.handshake.certificate'], decodeAs);
  let checked = 0;
  for (const r of records) {
    if (!r.tls) continue;
    const port = r.passive!.client.port;
    const what = `${r.service} connection from port ${port}`;
    const c = ch.get(port);
    expect(c, `tshark saw a ClientHello on the ${what}`).toBeDefined();
    const [suites, sni, ja3, ja3Full, exts, groups, sigalgs, versions, legacy, alpn] = c!;
    const hello = r.passive!.clientHello!;
    expect(hello.cipherSuites, what).toEqual(ints(suites));
    expect(hello.serverName ?? '', what).toBe(sni);
    expect(r.passive!.ja3, what).toBe(ja3);
    expect(r.passive!.ja3Full, what).toBe(ja3Full);
    expect(hello.extensions, what).toEqual(ints(exts));
    expect(hello.groups, what).toEqual(ints(groups).map(groupName));
    expect(hello.signatureAlgorithms, what).toEqual(ints(sigalgs));
    expect(hello.supportedVersions.length, what).toBe(ints(versions).length);
    expect(Number(hello.version), what).toBe(Number(legacy));
    expect(hello.alpn.join(';'), what).toBe(alpn);
    const s = sh.get(port);
    if (!s) {
      expect(r.tls.cipherSuite, `${what}: no ServerHello in tshark, none in the record`).toBeUndefined();
    } else {
      const [suite, version, selected, keyShare] = s;
      expect(r.tls.cipherSuite?.id, what).toBe(Number(suite));
      const code = Number(selected || version);
      expect(r.tls.version, what).toBe({ 0x0301: 'TLSv1.0', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' }[code]);
      if (keyShare) expect(r.tls.keyExchange?.group, what).toBe(groupName(Number(keyShare)));
    }
    const k = ske.get(port);
    if (k) {
      const [pLen, curve] = k;
      if (pLen) expect(r.tls.keyExchange, what).toEqual({ kind: 'DHE', bits: Number(pLen) * 8 });
      if (curve) expect(r.tls.keyExchange?.group, what).toBe(groupName(Number(curve)));
    }
    const chain = cert.get(port);
    if (r.tls.version === 'TLSv1.3') expect(chain, `${what}: TLS 1.3 hides the chain from tshark too`).toBeUndefined();
    else expect(r.tls.chain.map((b) => Buffer.from(b, 'base64').toString('hex')), what).toEqual(chain ? chain[0]!.split(';') : []);
    checked++;
  }
  return checked;
}
