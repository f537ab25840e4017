import { afterEach, describe, expect, it } from 'vitest';
import { runDialogAgainst, startScriptedServer, type ScriptedServer } from '@wildtls/core/testing';
import plugin from '../src/index.js';
import { capabilityCode, capabilityData, capabilityTexts, classifyLine, parseImapCapabilities } from '../src/reply.js';

/** The atoms of texts, and of a reply, as the dialog reads them. */
const atoms = (text: string | undefined) => (text === undefined ? undefined : parseImapCapabilities([text]).capabilities);
const capabilitiesFromReply = (lines: string[], tag?: string) => parseImapCapabilities(capabilityTexts(lines, tag)).capabilities;

/*
 * Server text shaped to make a backtracking parser slow (the former
 * [CAPABILITY pattern cost ~230 ms per 8 KiB of spaces, on every untagged
 * line). Each case asserts the parse a correct IMAP client makes of it.
 */

const SPACES = ' '.repeat(8000);
/** This suite's loopback address (the plugins-audit block, 127.0.44.0/24). */
const HOST = '127.0.44.1';

describe('IMAP parsing of hostile text', () => {
  it('"* OK [CAPABILITY" and 8 KiB of spaces without "]": no response code, no capabilities', () => {
    const line = `* OK [CAPABILITY${SPACES}`;
    expect(classifyLine(line)).toMatchObject({ kind: 'untagged', status: 'OK' });
    expect(capabilityCode(line.slice(2))).toBeUndefined();
    expect(capabilitiesFromReply([line])).toEqual([]);
  });

  it('the same with "]" after the spaces, or atoms between long runs of white space', () => {
    expect(atoms(capabilityCode(`OK [CAPABILITY${SPACES}]`))).toEqual([]);
    expect(atoms(capabilityCode(`ok${SPACES}[capability${SPACES}IMAP4rev1\t\t${SPACES}STARTTLS${SPACES}] hi`))).toEqual(['IMAP4rev1', 'STARTTLS']);
    expect(atoms(capabilityCode(`OK${SPACES}[CAPABILITY]`))).toEqual([]);
    expect(capabilityCode(`OK${SPACES}x[CAPABILITY IMAP4rev1]`)).toBeUndefined();
    expect(capabilityCode(`OK [CAPABILITYX${SPACES}]`)).toBeUndefined();
    // Only the first "]" ends the code.
    expect(atoms(capabilityCode(`BYE [CAPABILITY A [B] C]`))).toEqual(['A', '[B']);
  });

  it('untagged CAPABILITY data: long white space, and a bare CR that makes the line no CAPABILITY response', () => {
    expect(atoms(capabilityData(`CAPABILITY${SPACES}IMAP4rev1${SPACES}AUTH=PLAIN${SPACES}`))).toEqual(['IMAP4rev1', 'AUTH=PLAIN']);
    expect(capabilityData(`CAPABILITY${SPACES}x\ry`)).toBeUndefined();
    expect(atoms(capabilityData(`CAPABILITY${SPACES}\r`))).toEqual([]);
    expect(capabilityData(`CAPABILITYX ${SPACES}`)).toBeUndefined();
  });

  it('thousands of hostile untagged lines before the real CAPABILITY data', () => {
    const lines = [...Array.from({ length: 5000 }, () => `* OK [CAPABILITY${' '.repeat(2000)}`), '* CAPABILITY IMAP4rev1 AUTH=PLAIN', 'W001 OK done'];
    expect(capabilitiesFromReply(lines, 'W001')).toEqual(['IMAP4rev1', 'AUTH=PLAIN']);
  });

  it('20,000 AUTH= atoms of 100 mechanisms: the first 64 mechanisms once each, upper-cased, in first-seen order; the rest counted', () => {
    const caps = Array.from({ length: 20_000 }, (_, i) => `AUTH=m${i % 100}`);
    const view = parseImapCapabilities(caps);
    expect(view.capabilities).toEqual(caps.slice(0, 256));
    expect(view.sasl).toEqual(Array.from({ length: 64 }, (_, i) => `M${i}`));
    expect(view.truncated).toEqual({ capabilities: 20_000, sasl: 20_000 });
  });
});

describe('IMAP dialog against a server sending hostile text', () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a greeting and 250 untagged lines of "[CAPABILITY" and spaces: the real capabilities are recorded', async () => {
    const flood = `* OK [CAPABILITY${SPACES}\r\n`.repeat(250);
    server = await startScriptedServer({
      host: HOST,
      script: [
        { send: `* OK [CAPABILITY${SPACES}\r\n` },
        { expect: 'W001 CAPABILITY' },
        { send: `${flood}* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=plain\r\nW001 OK done\r\n` },
        { expect: 'W002 LOGOUT' },
        { send: 'W002 OK bye\r\n' },
      ],
    });
    // 2 MB of reply: above the default 1 MiB per probe, so the cap is raised for this case.
    const r = await runDialogAgainst({ host: HOST, port: server.port, spec: plugin.services[0]!, protocolId: 'imap', readTimeoutMs: 5000, maxTotalBytes: 4 << 20 });
    expect(r.status).toBe('no-starttls');
    expect(r.capabilities).toEqual({ beforeTls: ['IMAP4rev1', 'AUTH=PLAIN', 'AUTH=plain'] });
    expect(r.sasl).toEqual({ beforeTls: ['PLAIN'] });
  });
});
