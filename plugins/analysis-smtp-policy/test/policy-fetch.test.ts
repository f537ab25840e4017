import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fetchPolicy } from '../src/sts/policy-fetch.js';

// nock 15's interceptors (@mswjs/interceptors 0.44) call Promise.withResolvers, which Node 20 lacks: the
// standard's few lines, for this test process only, before nock loads.
if (!('withResolvers' in Promise)) {
  Object.defineProperty(Promise, 'withResolvers', {
    value: <T>() => {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
      return { promise, resolve, reject };
    },
  });
}
const { default: nock } = await import('nock');

// nock stands in for https://mta-sts.<domain>/ (no socket is opened); the address is what the resolver would give.
const S = { timeoutMs: 1000, maxBytes: 65536 };
const POLICY = 'version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n';
const host = (d: string) => nock(`https://mta-sts.${d}`);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('MTA-STS policy fetch', () => {
  it('returns a text/plain 200 body', async () => {
    host('ok.test').get('/.well-known/mta-sts.txt').reply(200, POLICY, { 'content-type': 'text/plain; charset=utf-8' });
    expect(await fetchPolicy('ok.test', '127.0.67.1', S)).toEqual({ ok: true, text: POLICY });
  });

  it('never follows a redirect', async () => {
    const scope = host('redirect.test').get('/.well-known/mta-sts.txt').reply(301, '', { location: 'https://elsewhere.test/policy' });
    const other = nock('https://elsewhere.test').get('/policy').reply(200, POLICY, { 'content-type': 'text/plain' });
    expect(await fetchPolicy('redirect.test', '127.0.67.1', S)).toEqual({ ok: false, cause: 'redirect', why: '301 to https://elsewhere.test/policy' });
    expect(scope.isDone()).toBe(true);
    expect(other.isDone()).toBe(false);
  });

  it('rejects another status, another media type', async () => {
    host('gone.test').get('/.well-known/mta-sts.txt').reply(404, 'nope', { 'content-type': 'text/plain' });
    expect(await fetchPolicy('gone.test', '127.0.67.1', S)).toMatchObject({ ok: false, cause: 'http-status' });
    host('html.test').get('/.well-known/mta-sts.txt').reply(200, POLICY, { 'content-type': 'text/html' });
    expect(await fetchPolicy('html.test', '127.0.67.1', S)).toEqual({ ok: false, cause: 'content-type', why: 'media type text/html' });
    host('untyped.test').get('/.well-known/mta-sts.txt').reply(200, POLICY);
    expect(await fetchPolicy('untyped.test', '127.0.67.1', S)).toMatchObject({ ok: false, cause: 'content-type' });
  });

  it('caps the size: by Content-Length, and while reading a body without one', async () => {
    const big = POLICY + 'x-pad: ' + 'a'.repeat(70000) + '\n';
    host('big.test').get('/.well-known/mta-sts.txt').reply(200, big, { 'content-type': 'text/plain', 'content-length': String(big.length) });
    expect(await fetchPolicy('big.test', '127.0.67.1', S)).toMatchObject({ ok: false, cause: 'too-large', why: `Content-Length ${big.length} above 65536` });
    host('stream.test').get('/.well-known/mta-sts.txt').reply(200, () => big, { 'content-type': 'text/plain' });
    expect(await fetchPolicy('stream.test', '127.0.67.1', S)).toMatchObject({ ok: false, cause: 'too-large' });
  });

  it('gives up at the deadline', async () => {
    host('slow.test').get('/.well-known/mta-sts.txt').delay(3000).reply(200, POLICY, { 'content-type': 'text/plain' });
    expect(await fetchPolicy('slow.test', '127.0.67.1', { ...S, timeoutMs: 200 })).toEqual({ ok: false, cause: 'timeout', why: 'no complete answer in 200 ms' });
  });

  it('says so when the policy host has no address', async () => {
    expect(await fetchPolicy('nohost.test', undefined, S)).toEqual({ ok: false, cause: 'no-address', why: 'mta-sts.nohost.test has no address' });
  });
});
