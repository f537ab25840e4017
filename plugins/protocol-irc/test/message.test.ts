import { describe, expect, it } from 'vitest';
import { CapLsList, parseMessage, saslMechanisms } from '@wildtls/protocol-irc';

/** The view of a CAP LS reply of these lines. */
function capLs(...lines: string[]) {
  const list = new CapLsList();
  for (const l of lines) list.add(l);
  return list.view();
}

describe('parseMessage', () => {
  it('prefix, numeric, middle params and trailing', () => {
    expect(parseMessage(':irc.test 670 * :STARTTLS successful, go ahead with TLS handshake')).toEqual({
      prefix: 'irc.test', command: '670', params: ['*', 'STARTTLS successful, go ahead with TLS handshake'],
    });
  });
  it('message tags are dropped, commands upper-cased, runs of spaces tolerated', () => {
    expect(parseMessage('@time=2026-11-23T14:00:00.000Z :s  cap  *  LS  * :a b')).toEqual({ prefix: 's', command: 'CAP', params: ['*', 'LS', '*', 'a b'] });
  });
  it('no prefix; empty trailing; empty line', () => {
    expect(parseMessage('PING :')).toEqual({ command: 'PING', params: [''] });
    expect(parseMessage('NOTICE AUTH :*** Looking up your hostname')).toEqual({ command: 'NOTICE', params: ['AUTH', '*** Looking up your hostname'] });
    expect(parseMessage('   ')).toBeUndefined();
    expect(parseMessage(':only.prefix')).toBeUndefined();
  });
  it('never throws on arbitrary bytes (seeded fuzz)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 2000; n++) {
      const line = Buffer.from(Array.from({ length: Math.floor(rnd() * 80) }, () => (rnd() < 0.3 ? [0x20, 0x3a, 0x40][Math.floor(rnd() * 3)]! : Math.floor(rnd() * 256)))).toString('latin1');
      const m = parseMessage(line);
      if (m) expect(typeof m.command).toBe('string');
    }
  });
});

describe('caps', () => {
  it('tokens keep values and order; the trailing space InspIRCd sends adds nothing; tls offers STARTTLS', () => {
    expect(capLs('account-notify sasl=PLAIN,EXTERNAL tls ')).toEqual({ capabilities: ['account-notify', 'sasl=PLAIN,EXTERNAL', 'tls'], sasl: ['PLAIN', 'EXTERNAL'], startTls: true });
    expect(capLs('tls=x  away-notify', 'away-notify tlsx')).toEqual({ capabilities: ['tls=x', 'away-notify', 'tlsx'], sasl: [], startTls: true });
    expect(capLs('tlsx TLS').startTls).toBe(false);
  });
  it('sasl mechanisms come from the first sasl cap value only', () => {
    expect(saslMechanisms('sasl=plain,EXTERNAL,PLAIN').entries).toEqual(['PLAIN', 'EXTERNAL']);
    expect(saslMechanisms('sasl').entries).toEqual([]);
    expect(saslMechanisms(undefined).entries).toEqual([]);
    expect(capLs('tls sasl=plain,EXTERNAL,PLAIN').sasl).toEqual(['PLAIN', 'EXTERNAL']);
    expect(capLs('saslx=PLAIN').sasl).toEqual([]);
    expect(capLs('sasl=A', 'sasl=B').sasl).toEqual(['A']);
  });
});
