import { describe, expect, it } from 'vitest';
import { ProbeError, errorToStatus, tlsErrorStatus } from './status.js';

const errno = (code: string) => Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });

describe('errorToStatus', () => {
  it('a ProbeError says what it is', () => {
    expect(errorToStatus(new ProbeError('timeout', 'read-timeout', 'slow'))).toEqual({ status: 'timeout', reason: 'read-timeout', message: 'slow' });
  });

  it.each([
    ['ECONNREFUSED', 'connect-failed', 'connect-refused'],
    ['EHOSTUNREACH', 'connect-failed', 'connect-unreachable'],
    ['ENETUNREACH', 'connect-failed', 'connect-unreachable'],
    ['ETIMEDOUT', 'timeout', 'read-timeout'],
    ['ECONNRESET', 'protocol-error', 'connection-reset'],
    ['ECONNABORTED', 'protocol-error', 'connection-reset'],
    ['EPIPE', 'protocol-error', 'connection-reset'],
  ])('system error %s is the network\'s or the server\'s doing: %s / %s', (code, status, reason) => {
    expect(errorToStatus(errno(code))).toMatchObject({ status, reason });
  });

  it('anything else is our own bug: internal-error / internal, never protocol-error', () => {
    expect(errorToStatus(new TypeError("Cannot read properties of undefined (reading 'x')"))).toEqual({ status: 'internal-error', reason: 'internal', message: "Cannot read properties of undefined (reading 'x')" });
    expect(errorToStatus(Object.assign(new Error('odd'), { code: 'ERR_INVALID_ARG_TYPE' }))).toMatchObject({ status: 'internal-error', reason: 'internal' });
    expect(errorToStatus('a string')).toMatchObject({ status: 'internal-error', reason: 'internal', message: 'a string' });
    expect(errorToStatus(undefined)).toMatchObject({ status: 'internal-error', reason: 'internal' });
  });
});

describe('tlsErrorStatus: a failed handshake by tls.error.kind', () => {
  it.each([
    ['alert', 'tls-failed', 'tls-alert'],
    ['protocol', 'tls-failed', 'tls-protocol'],
    ['timeout', 'tls-failed', 'tls-timeout'],
    ['reset', 'tls-failed', 'connection-reset'],
    ['closed', 'tls-failed', 'connection-closed'],
    ['unsupported', 'tls-failed', 'tls-unsupported'],
    ['internal', 'internal-error', 'internal'],
  ] as const)('%s: %s / %s', (kind, status, reason) => {
    expect(tlsErrorStatus(kind)).toEqual({ status, reason });
  });
});
