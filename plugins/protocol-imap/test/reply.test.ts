import { describe, expect, it } from 'vitest';
import { capabilityTexts, classifyLine, parseImapCapabilities } from '../src/reply.js';

/** The capability atoms of a reply, as the dialog reads them. */
const capabilitiesFromReply = (lines: string[], tag?: string) => parseImapCapabilities(capabilityTexts(lines, tag)).capabilities;

describe('IMAP reply parsing', () => {
  it('classifies untagged, tagged and continuation lines, case-insensitively', () => {
    expect(classifyLine('* OK [CAPABILITY IMAP4rev1] hi')).toEqual({ kind: 'untagged', status: 'OK', text: 'OK [CAPABILITY IMAP4rev1] hi' });
    expect(classifyLine('* capability IMAP4rev1')).toEqual({ kind: 'untagged', text: 'capability IMAP4rev1' });
    expect(classifyLine('w001 ok done', 'W001')).toEqual({ kind: 'tagged', tag: 'W001', status: 'OK', text: 'ok done' });
    expect(classifyLine('W001 NO', 'W001')).toMatchObject({ kind: 'tagged', status: 'NO' });
    expect(classifyLine('+ go ahead')).toEqual({ kind: 'continuation', text: 'go ahead' });
    expect(classifyLine('W002 OK done', 'W001')).toBeUndefined();
    expect(classifyLine('W001 MAYBE', 'W001')).toBeUndefined();
    expect(classifyLine('\x00\xff garbage')).toBeUndefined();
  });

  it('prefers untagged CAPABILITY data and joins several lines in order', () => {
    expect(capabilityTexts(['* CAPABILITY IMAP4rev1 STARTTLS', '* CAPABILITY', 'W001 OK [CAPABILITY X] done'], 'W001')).toEqual(['IMAP4rev1 STARTTLS', '']);
    expect(capabilitiesFromReply(['* CAPABILITY IMAP4rev1 STARTTLS', '* CAPABILITY AUTH=PLAIN', 'W001 OK [CAPABILITY X] done'], 'W001')).toEqual(['IMAP4rev1', 'STARTTLS', 'AUTH=PLAIN']);
  });

  it('falls back to a [CAPABILITY] response code (greeting or tagged OK)', () => {
    expect(capabilitiesFromReply(['* OK [CAPABILITY IMAP4rev1 STARTTLS] ready'])).toEqual(['IMAP4rev1', 'STARTTLS']);
    expect(capabilitiesFromReply(['W001 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] done'], 'W001')).toEqual(['IMAP4rev1', 'AUTH=PLAIN']);
    expect(capabilitiesFromReply(['W001 OK done'], 'W001')).toEqual([]);
  });

  it('keeps raw atoms, LOGINDISABLED included; SASL upper-cased and de-duplicated in order', () => {
    const v = parseImapCapabilities(['IMAP4rev1', 'starttls', 'LOGINDISABLED', 'AUTH=plain', 'AUTH=SCRAM-SHA-256', 'AUTH=PLAIN', 'AUTH=']);
    expect(v.capabilities).toEqual(['IMAP4rev1', 'starttls', 'LOGINDISABLED', 'AUTH=plain', 'AUTH=SCRAM-SHA-256', 'AUTH=PLAIN', 'AUTH=']);
    expect(v.sasl).toEqual(['PLAIN', 'SCRAM-SHA-256']);
    expect(v.startTls).toBe(true);
  });
});
