import { afterEach, describe, expect, it } from 'vitest';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin, { CapLsList, parseMessage, saslMechanisms } from '@wildtls/protocol-irc';

/*
 * IRC lines shaped to cost a careless parser super-linear time: thousands of
 * parameters, long trailing parts, CAP LS continuation floods (de-duplicated by
 * a linear scan, that was quadratic), a sasl= value of thousands of mechanisms.
 * Each case asserts the correct parse.
 */

/** This suite's loopback address (the plugins-audit block, 127.0.44.0/24). */
const HOST = '127.0.44.4';
const caps = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `cap-${from + i}`);

describe('IRC parsing of hostile text', () => {
  it('a line of 4,000 middle parameters (more than the 15 of RFC 1459) and a long trailing part', () => {
    const middles = Array.from({ length: 4000 }, (_, i) => `p${i}`);
    const trailing = ': x '.repeat(500);
    const m = parseMessage(`@a=b;c=d :nick!user@host privmsg ${middles.join('   ')} :${trailing}`);
    expect(m?.prefix).toBe('nick!user@host');
    expect(m?.command).toBe('PRIVMSG');
    expect(m?.params).toEqual([...middles, trailing]);
  });

  it('15 and more parameters keep their order; a trailing part of 8 KiB of spaces stays as sent', () => {
    const p = Array.from({ length: 20 }, (_, i) => String(i));
    expect(parseMessage(`CMD ${p.join(' ')} :${' '.repeat(8000)}`)).toEqual({ command: 'CMD', params: [...p, ' '.repeat(8000)] });
    expect(parseMessage(`${' '.repeat(8000)}:pfx${' '.repeat(8000)}CMD${' '.repeat(8000)}a`)).toEqual({ prefix: 'pfx', command: 'CMD', params: ['a'] });
    expect(parseMessage(`@${'t'.repeat(8000)}`)).toBeUndefined();
  });

  it('a CAP LS reply of 199 continuation lines, caps repeated across lines: the first 256 once each, in first-seen order; every token counted', () => {
    const list = new CapLsList();
    for (let k = 0; k < 199; k++) list.add(`${caps(1000, k * 5).join(' ')} `);
    expect(list.view()).toEqual({ capabilities: caps(256), sasl: [], startTls: false, truncated: { capabilities: 199_000 } });
    const blank = new CapLsList();
    blank.add(' '.repeat(8000));
    expect(blank.view()).toEqual({ capabilities: [], sasl: [], startTls: false });
  });

  it('a sasl= value of 4,000 mechanisms, with repeats and empty entries: the first 64 once each, upper-cased; every one counted', () => {
    const value = Array.from({ length: 4000 }, (_, i) => `m${i % 1500}`).join(',,');
    const sasl = saslMechanisms(`sasl=${value}`);
    expect(sasl.entries).toEqual(Array.from({ length: 64 }, (_, i) => `M${i}`));
    expect(sasl.truncated).toBe(4000);
  });
});

describe('IRC dialog against a server sending hostile text', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('199 CAP LS continuation lines of long cap lists: the first 256 caps recorded once each, all counted, SASL from a sasl= past the cap', async () => {
    const more = Array.from({ length: 198 }, (_, k) => `:irc.test CAP * LS * :${caps(900, k * 10).join(' ')}\r\n`).join('');
    server = await startScriptedServer({ host: HOST, script: [{ expect: 'CAP LS 302' }, { send: `${more}:irc.test CAP * LS :sasl=PLAIN,EXTERNAL,plain cap-0\r\n` }] });
    const irc = plugin.services.find((s) => s.name === 'irc')!;
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: irc, readTimeoutMs: 5000, maxTotalBytes: 4 << 20 });
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: caps(256), truncated: { beforeTls: 198 * 900 + 2 } });
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN', 'EXTERNAL'] });
  });
});
