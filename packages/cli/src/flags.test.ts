import { describe, expect, it } from 'vitest';
import { portOverrides, scanOverrides } from './flags.js';

describe('scan flags', () => {
  it('--fallback none switches the fallback ladder off; profiles are kept in order otherwise', () => {
    expect(scanOverrides({ fallback: ['none'] }, [])).toEqual({ tls: { fallback: [] } });
    expect(scanOverrides({ profile: 'modern', fallback: ['compat', 'ssl3'] }, [])).toEqual({ tls: { profile: 'modern', fallback: ['compat', 'ssl3'] } });
    expect(scanOverrides({}, [])).toEqual({});
  });

  it('--fallback none cannot be combined with a profile', () => {
    expect(() => scanOverrides({ fallback: ['compat', 'none'] }, [])).toThrow(/--fallback none/);
  });

  it('--port N and --port SERVICE=N', () => {
    expect(scanOverrides({ port: ['2525'] }, [])).toEqual({ scan: { ports: [2525] } });
    expect(scanOverrides({ protocol: ['smtp', 'imap'], port: ['smtp=2525', 'imap=1143', 'smtp=25'] }, [])).toEqual({ scan: { protocols: ['smtp', 'imap'], servicePorts: { smtp: [2525, 25], imap: [1143] } } });
    // Several ports with one service, one port with several services: what it says.
    expect(portOverrides(['25', '2525'], ['smtp'])).toEqual({ ports: [25, 2525] });
    expect(portOverrides(['2525'], ['smtp', 'imap'])).toEqual({ ports: [2525] });
    // A pinned service leaves one unpinned: no cross product.
    expect(portOverrides(['smtp=2525', '1143', '143'], ['smtp', 'imap'])).toEqual({ ports: [1143, 143], servicePorts: { smtp: [2525] } });
  });

  it('several plain ports with several services is an error that names SERVICE=PORT', () => {
    expect(() => portOverrides(['2525', '1143'], ['smtp', 'imap'])).toThrow('--port 2525 --port 1143 with -p smtp -p imap would probe every port with every service (4 probes per address); for one port per service use --port smtp=2525 --port imap=1143; for every combination, --set scan.ports=[2525,1143]');
  });

  it('bad ports and services name the flag', () => {
    for (const v of ['0', '65536', 'x', 'smtp=', '=25', 'smtp=025', '-1', 'smtp:25']) expect(() => portOverrides([v], []), v).toThrow(`--port ${v}: expected PORT or SERVICE=PORT`);
    expect(() => portOverrides(['pop3=110'], ['smtp'])).toThrow('--port pop3=110: pop3 is not among the scanned protocols (smtp); add -p pop3');
  });
});
