import { describe, expect, it } from 'vitest';
import type { DialogRecord } from '../probe/dialog-context.js';
import { MAX_CAPABILITIES, MAX_SASL_MECHANISMS } from '../record/list-caps.js';
import { addMechanismWords, CappedList, cappedView, recordCapabilities } from './capability-lists.js';
import { hasPrefixAt, isSpace, isWord, skipSpace, wordEnd } from './words.js';

const names = (n: number, p = 'M') => Array.from({ length: n }, (_, i) => `${p}${i}`);

describe('CappedList', () => {
  it('keeps every entry up to the cap, in order, and says nothing was cut', () => {
    const l = new CappedList(3);
    for (const e of ['a', 'b', 'a']) l.add(e);
    expect(l.entries).toEqual(['a', 'b', 'a']);
    expect(l.full).toBe(true);
    expect(l.truncated).toBeUndefined();
  });

  it('past the cap counts entries (built or skipped) and keeps the first ones', () => {
    const l = new CappedList(2);
    l.add('a');
    l.add('b');
    l.add('c');
    l.skip();
    expect(l.entries).toEqual(['a', 'b']);
    expect(l.truncated).toBe(4);
  });

  it('de-duplicating: repeats before the cap are counted but not kept; once full, a repeat is counted as cut too', () => {
    const l = new CappedList(2, true);
    for (const e of ['A', 'A', 'B', 'A']) l.add(e);
    expect(l.entries).toEqual(['A', 'B']);
    expect(l.truncated).toBe(4);
    const whole = new CappedList(2, true);
    for (const e of ['A', 'A', 'B']) whole.add(e);
    expect(whole.truncated).toBeUndefined();
  });

  it('addMechanismWords: any white space separates, names upper-cased and escaped, the rest counted past the cap', () => {
    const l = new CappedList(3, true);
    addMechanismWords(l, 'AUTH plain\tLogin\u00a0cram-md5  PLAIN x\x01y z', 4);
    expect(l.entries).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(l.truncated).toBe(6);
    const v = new CappedList(8, true);
    addMechanismWords(v, ' a\x01b ');
    expect(v.entries).toEqual(['A\\x01B']);
  });

  it('cappedView reports only the lists that were cut', () => {
    const caps = new CappedList(1);
    caps.add('x');
    caps.add('y');
    const sasl = new CappedList(1, true);
    sasl.add('P');
    expect(cappedView(caps, sasl, true)).toEqual({ capabilities: ['x'], sasl: ['P'], startTls: true, truncated: { capabilities: 2 } });
    expect(cappedView(new CappedList(1), new CappedList(1), false)).toEqual({ capabilities: [], sasl: [], startTls: false });
  });
});

describe('recordCapabilities', () => {
  it('writes each phase in order, escaped and bounded, with no truncated field when nothing was cut', () => {
    const r: DialogRecord = {};
    recordCapabilities(r, 'beforeTls', { capabilities: ['STARTTLS', `X${'y'.repeat(600)}`], sasl: ['PL\x00AIN'] });
    recordCapabilities(r, 'afterTls', { capabilities: ['AUTH PLAIN'], sasl: ['PLAIN'] });
    expect(r.capabilities).toEqual({ beforeTls: ['STARTTLS', `X${'y'.repeat(511)}…`], afterTls: ['AUTH PLAIN'] });
    expect(r.sasl).toEqual({ beforeTls: ['PL\\x00AIN'], afterTls: ['PLAIN'] });
    expect(Object.keys(r.capabilities!)).toEqual(['beforeTls', 'afterTls']);
  });

  it('a later phase after a cut one keeps truncated last; frozen lists (a third party\'s) are copied, never written', () => {
    const r: DialogRecord = {};
    recordCapabilities(r, 'beforeTls', { capabilities: ['A'], sasl: [], truncated: { capabilities: 300 } });
    recordCapabilities(r, 'afterTls', { capabilities: ['B'], sasl: [] });
    expect(Object.keys(r.capabilities!)).toEqual(['beforeTls', 'afterTls', 'truncated']);
    expect(r.capabilities).toEqual({ beforeTls: ['A'], afterTls: ['B'], truncated: { beforeTls: 300 } });
    const frozen = Object.freeze({ beforeTls: ['X'] });
    const f: DialogRecord = { capabilities: frozen, sasl: Object.freeze({ beforeTls: [] }) };
    recordCapabilities(f, 'afterTls', { capabilities: ['Y'], sasl: ['PLAIN'] });
    expect(f.capabilities).toEqual({ beforeTls: ['X'], afterTls: ['Y'] });
    expect(f.sasl).toEqual({ beforeTls: [], afterTls: ['PLAIN'] });
    expect(frozen).toEqual({ beforeTls: ['X'] });
  });

  it('keeps the counts of a capped view per phase', () => {
    const r: DialogRecord = {};
    recordCapabilities(r, 'beforeTls', { capabilities: names(MAX_CAPABILITIES, 'C'), sasl: names(3), truncated: { capabilities: 9000 } });
    recordCapabilities(r, 'afterTls', { capabilities: ['A'], sasl: names(MAX_SASL_MECHANISMS), truncated: { sasl: 70 } });
    expect(r.capabilities).toEqual({ beforeTls: names(MAX_CAPABILITIES, 'C'), afterTls: ['A'], truncated: { beforeTls: 9000 } });
    expect(r.sasl).toEqual({ beforeTls: names(3), afterTls: names(MAX_SASL_MECHANISMS), truncated: { afterTls: 70 } });
  });

  it('cuts a view that did not cap its lists (a third-party parser) and counts what it held', () => {
    const r: DialogRecord = {};
    recordCapabilities(r, 'afterTls', { capabilities: names(1000, 'C'), sasl: names(100) });
    expect(r.capabilities).toEqual({ afterTls: names(MAX_CAPABILITIES, 'C'), truncated: { afterTls: 1000 } });
    expect(r.sasl).toEqual({ afterTls: names(MAX_SASL_MECHANISMS), truncated: { afterTls: 100 } });
  });
});

describe('words', () => {
  it('isSpace is exactly the \\s of regular expressions, over every UTF-16 code unit', () => {
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isSpace(c) !== /\s/.test(String.fromCharCode(c))) differ.push(c);
    expect(differ).toEqual([]);
  });

  it('finds words by index and compares keywords in ASCII case only', () => {
    const t = '  auth=Plain\u2003STARTTLS ';
    const s = skipSpace(t, 0);
    expect([s, wordEnd(t, s)]).toEqual([2, 12]);
    expect(hasPrefixAt(t, s, 'AUTH=')).toBe(true);
    expect(isWord(t, 13, wordEnd(t, 13), 'STARTTLS')).toBe(true);
    expect(isWord('STARTTLSX', 0, 9, 'STARTTLS')).toBe(false);
    // Only ASCII letters fold: the long s (U+017F) upper-cases to S in JavaScript, but is no protocol keyword.
    expect(isWord('\u017ftarttls', 0, 8, 'STARTTLS')).toBe(false);
    expect(skipSpace(' '.repeat(10), 0)).toBe(10);
  });
});
