import { describe, expect, it } from 'vitest';
import type { TlsInfo } from '../record/tls-schema.js';
import { tlsJson } from './tls-json.js';

const base = (): TlsInfo => ({ chain: ['MIIBhDCCASugAwIBAgIU'], ocspStapled: false, completed: true, version: 'TLSv1.2', cipherSuite: { id: 49195, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' } });
const ext = (id: number, name: string) => ({ id, name });

describe('tlsJson', () => {
  it('is JSON.stringify of the tls part, the same list again, a list with other names, and lists that are not {id, name} objects', () => {
    const lists: unknown[] = [
      [ext(65281, 'renegotiation_info'), ext(11, 'ec_point_formats'), ext(35, 'session_ticket')],
      [ext(65281, 'renegotiation_info'), ext(11, 'ec_point_formats'), ext(35, 'session_ticket')],
      // The same ids, other names (remembered per ids and names, not per ids).
      [ext(65281, 'x'), ext(11, 'ec_point_formats'), ext(35, 'session_ticket')],
      [ext(65281, 'renegotiation_info'), ext(11, 'ec_point_formats')],
      [],
      // Not the {id, name} shape (after the same ids and names in that shape): keys the other way round, one more key, an undefined one, a toJSON, not objects.
      [ext(65281, 'renegotiation_info')],
      [{ name: 'renegotiation_info', id: 65281 }],
      [{ id: 65281, name: 'renegotiation_info', extra: 1 }],
      [{ id: 65281, name: 'renegotiation_info', gone: undefined }],
      [{ id: 65281, name: 'renegotiation_info', toJSON: () => 'replaced' }],
      [Object.assign(Object.create({ toJSON: () => 'inherited' }) as object, { id: 65281, name: 'renegotiation_info' })],
      [1, 'two', null],
      'not a list',
      [ext(-0, 'zero'), ext(NaN, 'nan'), ext(Infinity, 'inf'), ext(1, 'quote " and \\ and \u0001')],
      [ext(-0, 'zero'), ext(NaN, 'nan'), ext(Infinity, 'inf'), ext(1, 'quote " and \\ and \u0001')],
    ];
    for (const serverExtensions of lists) {
      const tls = { ...base(), serverExtensions } as TlsInfo;
      expect(tlsJson(tls)).toBe(JSON.stringify(tls));
    }
  });

  it('is JSON.stringify of the tls part for suites as the follower writes them, and other shapes of cipherSuite', () => {
    const suites: unknown[] = [
      { id: 49195, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' },
      { id: 49195, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' },
      { id: 49195, name: 'another name' },
      { name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', id: 49195 },
      { id: 49195, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', extra: true },
      Object.assign(Object.create({ toJSON: () => 'inherited' }) as object, { id: 49195, name: 'another name' }),
      { id: -0, name: 'zero' },
      { id: NaN, name: 'nan' },
      { id: NaN, name: 'nan' },
      null,
      'TLS_AES_128_GCM_SHA256',
    ];
    for (const cipherSuite of suites) {
      const tls = { ...base(), cipherSuite } as TlsInfo;
      expect(tlsJson(tls)).toBe(JSON.stringify(tls));
    }
  });

  it('writes booleans and numbers as JSON does', () => {
    for (const v of [true, false, 0, -0, 1.5, 1e21, 5e-324, NaN, Infinity, -Infinity]) {
      const tls = { ...base(), completed: v, ocspStapled: v } as unknown as TlsInfo;
      expect(tlsJson(tls)).toBe(JSON.stringify(tls));
    }
  });

  it('keeps the key order and leaves out what JSON leaves out', () => {
    const tls = { serverExtensions: [ext(43, 'supported_versions')], ...base(), alpn: undefined, keyExchange: { kind: 'TLS13', group: 'x25519', bits: 253 } } as unknown as TlsInfo;
    expect(tlsJson(tls)).toBe(JSON.stringify(tls));
    expect(tlsJson({} as TlsInfo)).toBe('{}');
    expect(tlsJson({ alpn: undefined } as unknown as TlsInfo)).toBe('{}');
  });

  it('a list changed after its text was remembered is serialized as it is now', () => {
    const list = [ext(43, 'supported_versions'), ext(51, 'key_share')];
    const tls = { ...base(), serverExtensions: list } as TlsInfo;
    expect(tlsJson(tls)).toBe(JSON.stringify(tls));
    list[1]!.name = 'changed';
    expect(tlsJson(tls)).toBe(JSON.stringify(tls));
    list.push(ext(41, 'pre_shared_key'));
    expect(tlsJson(tls)).toBe(JSON.stringify(tls));
  });
});
