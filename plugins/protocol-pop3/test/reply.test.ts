import { describe, expect, it } from 'vitest';
import { parseCapa, unstuff } from '../src/reply.js';

describe('POP3 CAPA parsing', () => {
  it('keeps raw lines in order; SASL upper-cased, de-duplicated, across several SASL lines', () => {
    const v = parseCapa(['TOP', 'stls', 'SASL plain SCRAM-SHA-1', 'IMPLEMENTATION  Shiny  POP', 'SASL PLAIN XOAUTH2', '', 'USER']);
    expect(v.capabilities).toEqual(['TOP', 'stls', 'SASL plain SCRAM-SHA-1', 'IMPLEMENTATION  Shiny  POP', 'SASL PLAIN XOAUTH2', 'USER']);
    expect(v.sasl).toEqual(['PLAIN', 'SCRAM-SHA-1', 'XOAUTH2']);
    expect(v.startTls).toBe(true);
  });

  it('a bare SASL line means no mechanism; no STLS line means no STARTTLS', () => {
    expect(parseCapa(['SASL', 'USER'])).toEqual({ capabilities: ['SASL', 'USER'], sasl: [], startTls: false });
  });

  it('undoes byte-stuffing', () => {
    expect(unstuff('..hidden')).toBe('.hidden');
    expect(unstuff('TOP')).toBe('TOP');
  });
});
