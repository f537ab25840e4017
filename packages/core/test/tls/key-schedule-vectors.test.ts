import { describe, expect, it } from 'vitest';
import { prf } from '../../src/tls/prf.js';
import { applicationSecrets, finishedVerifyData, handshakeSecrets, hkdfExpandLabel, trafficKeys } from '../../src/tls/key-schedule13.js';

/**
 * Published vectors for the key schedules as a whole: every step of RFC 8448's
 * simple 1-RTT trace that the engine computes (section 3), and the TLS PRF
 * vectors of the IETF TLS list in full (several P_hash blocks each: the HMACs
 * run in hmac.ts's shared scratch, one after another). Values as published.
 */
const hex = (s: string) => Buffer.from(s, 'hex');

describe('TLS 1.3 key schedule: RFC 8448 section 3, simple 1-RTT', () => {
  const shared = hex('8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d');
  const helloHash = hex('860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8');
  const serverFinishedHash = hex('9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13');

  it('handshake secret and both handshake traffic secrets, keys and IVs', () => {
    const s = handshakeSecrets('sha256', shared, helloHash);
    expect(s.handshakeSecret.toString('hex')).toBe('1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac');
    expect(s.clientHs.toString('hex')).toBe('b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21');
    expect(s.serverHs.toString('hex')).toBe('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38');
    const sk = trafficKeys('sha256', s.serverHs, 16);
    const ck = trafficKeys('sha256', s.clientHs, 16);
    // Each result stays what it was after the HMACs that follow it (none is a view of a shared buffer).
    expect([sk.key, sk.iv, ck.key, ck.iv].map((b) => b.toString('hex'))).toEqual([
      '3fce516009c21727d0f2e4e86ee403bc',
      '5d313eb2671276ee13000b30',
      'dbfaa693d1762c5b666af5d950258d01',
      '5bd3c71b836e0b76bb73265f',
    ]);
    expect(s.handshakeSecret.toString('hex')).toBe('1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac');
  });

  it('finished keys and the server Finished verify data', () => {
    const s = handshakeSecrets('sha256', shared, helloHash);
    expect(hkdfExpandLabel('sha256', s.serverHs, 'finished', Buffer.alloc(0), 32).toString('hex')).toBe('008d3b66f816ea559f96b537e885c31fc068bf492c652f01f288a1d8cdc19fc8');
    expect(hkdfExpandLabel('sha256', s.clientHs, 'finished', Buffer.alloc(0), 32).toString('hex')).toBe('b80ad01015fb2f0bd65ff7d4da5d6bf83f84821d1f87fdc7d3c75b5a7b42d9c4');
    // SHA-256 of the trace's ClientHello through CertificateVerify.
    const verify = finishedVerifyData('sha256', s.serverHs, hex('edb7725fa7a3473b031ec8ef65a2485493900138a2b91291407d7951a06110ed'));
    expect(verify.toString('hex')).toBe('9b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718');
  });

  it('application traffic secrets', () => {
    const s = handshakeSecrets('sha256', shared, helloHash);
    const app = applicationSecrets('sha256', s.handshakeSecret, serverFinishedHash);
    expect(app.client.toString('hex')).toBe('9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5');
    expect(app.server.toString('hex')).toBe('a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643');
  });
});

describe('TLS PRF: published vectors in full (several P_hash blocks)', () => {
  it('TLS 1.2 P_SHA256, 100 bytes', () => {
    const out = prf(0x0303, 'sha256', hex('9bbe436ba940f017b17652849a71db35'), 'test label', hex('a0ba9f936cda311827a6f796ffd5198c'), 100);
    expect(out.toString('hex')).toBe(
      'e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66',
    );
  });

  it('TLS 1.2 P_SHA384, 148 bytes', () => {
    const out = prf(0x0303, 'sha384', hex('b80b733d6ceefcdc71566ea48e5567df'), 'test label', hex('cd665cf6a8447dd6ff8b27555edb7465'), 148);
    expect(out.toString('hex')).toBe(
      '7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d73e56f',
    );
  });

  it('TLS 1.0/1.1 MD5 xor SHA-1, 104 bytes', () => {
    const out = prf(0x0301, 'sha256', Buffer.alloc(48, 0xab), 'PRF Testvector', Buffer.alloc(64, 0xcd), 104);
    expect(out.toString('hex')).toBe(
      'd3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754443bcf9a296519bc289abcbc1187e4ebd31e602353776c408aafb74cbc85eff69255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f1afbc655a8c9a013',
    );
  });
});
