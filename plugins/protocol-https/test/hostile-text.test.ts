import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDialogAgainst, selfSignedCertificate, startScriptedServer, type ScriptedServer, type TestCertificate } from '@wildtls/core/testing';
import plugin, { firstHeader, parseHeaders, parseStatusLine } from '@wildtls/protocol-https';

/*
 * Response heads shaped to cost a careless parser super-linear time: long
 * folded values (joined line by line), long reason phrases, white space runs.
 * Each case asserts the correct parse or the classified refusal.
 */

/** This suite's loopback address (the plugins-audit block, 127.0.44.0/24). */
const HOST = '127.0.44.6';

describe('HTTP head parsing of hostile text', () => {
  it('a Server value folded over 98 lines of 300 characters is joined, each fold one space', () => {
    const folds = Array.from({ length: 98 }, (_, i) => `${i % 2 ? '\t' : ' '.repeat(50)}${'v'.repeat(300)}${i}   `);
    const fields = parseHeaders(['Server: first', ...folds, 'X-After: 1']);
    expect(firstHeader(fields, 'server')).toBe(['first', ...Array.from({ length: 98 }, (_, i) => `${'v'.repeat(300)}${i}`)].join(' '));
    expect(firstHeader(fields, 'x-after')).toBe('1');
  });

  it('a status line with an 8 KiB reason phrase; one with a bare CR is no status line', () => {
    const reason = 'OK '.repeat(2700);
    expect(parseStatusLine(`HTTP/1.1 200 ${reason}`)).toEqual({ version: '1.1', status: 200, reason });
    expect(() => parseStatusLine(`HTTP/1.1 200 ${' '.repeat(8000)}\rx`)).toThrow(/status line/);
  });

  it('header lines of 8 KiB of spaces: a value of spaces is empty; a name with spaces is refused', () => {
    expect(parseHeaders([`X-Pad:${' '.repeat(8000)}`])).toEqual([{ name: 'x-pad', value: '' }]);
    expect(() => parseHeaders([`${'a'.repeat(8000)} : x`])).toThrow(/malformed HTTP header line/);
  });
});

describe('HTTPS dialog against a server sending a hostile head', () => {
  let cert: TestCertificate;
  let server: ScriptedServer | undefined;
  beforeAll(async () => {
    cert = await selfSignedCertificate({ commonName: 'www.hostile.test', keyType: 'ec' });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('99 folded Server lines up to the 32 KiB head cap: Server recorded, bounded to 512 characters', async () => {
    const folds = Array.from({ length: 98 }, () => ` ${'s'.repeat(300)}\r\n`).join('');
    server = await startScriptedServer({ host: HOST, tls: cert, implicitTls: true, script: [{ expect: /^HEAD \/ HTTP\/1\.1$/ }, { send: `HTTP/1.1 200 OK\r\nServer: hostile\r\n${folds}\r\n` }] });
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services[0]!, readTimeoutMs: 5000 });
    expect(r.status).toBe('success');
    expect(r.http?.status).toBe(200);
    expect(r.http?.server).toBe(`hostile ${'s'.repeat(300)} ${'s'.repeat(203)}…`);
  });
});
