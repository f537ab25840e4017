import { beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate, type TestCertificate } from '@wildtls/core/testing';
import { loadTranscript, probeScript, replay, EHLO } from './helpers.js';

/** Replays of an exchange recorded once with real Postfix (the real-server suite checks the fixture is still current). */
const postfix = loadTranscript('postfix-submission.json');
const exim = loadTranscript('exim-smtp.json');

let cert: TestCertificate;
beforeAll(async () => {
  cert = await selfSignedCertificate({ commonName: 'mx.wildtls.test' });
});

describe('Postfix submission transcript', () => {
  it('fills every record field from the recorded exchange', async () => {
    const { record: r, sent } = await probeScript(replay(postfix), { cert, name: 'submission' });
    expect(r.status, JSON.stringify(r.error)).toBe('success');
    expect(r.service).toBe('submission');
    expect(r.protocol).toBe('smtp');
    expect(r.mode).toBe('starttls');
    expect(r.banner).toBe('220 mx.wildtls.test ESMTP wildtls-test');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '220 2.0.0 Ready to start TLS' });
    const ext = ['PIPELINING', 'SIZE 10240000', 'VRFY', 'ETRN'];
    const tail = ['ENHANCEDSTATUSCODES', '8BITMIME', 'DSN', 'SMTPUTF8', 'CHUNKING'];
    expect(r.capabilities).toEqual({ beforeTls: [...ext, 'STARTTLS', ...tail], afterTls: [...ext, 'AUTH PLAIN LOGIN', 'AUTH=PLAIN LOGIN', ...tail] });
    expect(r.sasl).toEqual({ beforeTls: [], afterTls: ['PLAIN', 'LOGIN'] });
    expect(r.smtp).toEqual({ ehloGreeting: { beforeTls: 'mx.wildtls.test', afterTls: 'mx.wildtls.test' } });
    expect(r.tls?.completed).toBe(true);
    expect(r.tls?.chain[0]).toBe(cert.der.toString('base64'));
    // Exactly the recorded commands, in order: no AUTH, no MAIL, a polite QUIT.
    expect(sent).toEqual([EHLO, 'STARTTLS', EHLO, 'QUIT']);
  });

  it('uses the configured EHLO name', async () => {
    const script = replay(postfix).map((s) => ('expect' in s && s.expect === EHLO ? { expect: 'EHLO scanner.example.org' } : s));
    const { record, sent } = await probeScript(script, { cert, name: 'submission', options: { ehloName: 'scanner.example.org' } });
    expect(record.status).toBe('success');
    expect(sent[0]).toBe('EHLO scanner.example.org');
  });

  it('on smtps (implicit TLS) the same server records only after-TLS capabilities', async () => {
    const steps = postfix.steps;
    const after = steps.slice(steps.findIndex((s) => 'tls' in s) + 1);
    const script = replay({ source: postfix.source, steps: [steps[0]!, ...after] });
    const { record: r, sent } = await probeScript(script, { cert, name: 'smtps' });
    expect(r.status, JSON.stringify(r.error)).toBe('success');
    expect(r.mode).toBe('implicit');
    expect(r.starttls).toBeUndefined();
    expect(r.capabilities?.beforeTls).toBeUndefined();
    expect(r.sasl).toEqual({ afterTls: ['PLAIN', 'LOGIN'] });
    expect(r.tls?.chain[0]).toBe(cert.der.toString('base64'));
    expect(sent).toEqual([EHLO, 'QUIT']);
  });
});

describe('Exim smtp transcript', () => {
  it('keeps the greeting line apart from the extensions, and the mechanisms Exim adds over TLS', async () => {
    const { record: r, sent } = await probeScript(replay(exim), { cert, name: 'smtp' });
    expect(r.status, JSON.stringify(r.error)).toBe('success');
    expect(r.banner).toBe('220 exim-ok.wildtls.test ESMTP Exim 4.96');
    expect(r.starttls).toEqual({ offered: true, upgraded: true, reply: '220 TLS go ahead' });
    expect(r.smtp?.ehloGreeting?.beforeTls).toBe('exim-ok.wildtls.test Hello wildtls-research-scanner.invalid [127.0.0.1]');
    expect(r.capabilities?.beforeTls).toEqual(['SIZE 52428800', '8BITMIME', 'PIPELINING', 'PIPECONNECT', 'AUTH CRAM-MD5', 'CHUNKING', 'STARTTLS', 'SMTPUTF8', 'HELP']);
    expect(r.sasl).toEqual({ beforeTls: ['CRAM-MD5'], afterTls: ['CRAM-MD5', 'PLAIN', 'LOGIN'] });
    expect(sent).toEqual([EHLO, 'STARTTLS', EHLO, 'QUIT']);
  });
});
