import { describe, expect, it } from 'vitest';
import { createAdmission, NetworkLimiter, TokenBucket } from '@wildtls/core';

describe('token bucket', () => {
  it('holds its rate within 5% over 10 s under heavy demand', async () => {
    const admit = createAdmission({ rate: 300, perNetwork: 1_000_000, prefixV4: 24, prefixV6: 48 });
    const stopAt = performance.now() + 10_000;
    let admitted = 0;
    // 50 eager "probes" competing for tokens, like a scan at concurrency 50.
    await Promise.all(
      Array.from({ length: 50 }, async (_, w) => {
        for (;;) {
          const release = await admit(`20.0.${w}.1`);
          if (performance.now() > stopAt) break;
          admitted++;
          release();
        }
      }),
    );
    const rate = admitted / 10;
    expect(rate).toBeGreaterThan(300 * 0.95);
    expect(rate).toBeLessThan(300 * 1.05);
  }, 20_000);

  it('is unlimited at rate 0', async () => {
    const b = new TokenBucket(0);
    for (let i = 0; i < 10_000; i++) expect(b.tryTake()).toBe(true);
  });

  it('admission binds only when it can hold a probe back: a rate, or a per-network cap below the concurrency', async () => {
    const at = (rate: number, perNetwork: number) => createAdmission({ rate, perNetwork, prefixV4: 24, prefixV6: 48 });
    expect(at(0, 100_000).binds(50)).toBe(false);
    expect(at(0, 50).binds(50)).toBe(false);
    expect(at(0, 49).binds(50)).toBe(true);
    expect(at(100, 100_000).binds(50)).toBe(true);
    // Unbound, it still counts per network and hands back a release (the hook works when asked).
    const admit = at(0, 2);
    const a = await admit('10.0.0.1');
    await admit('10.0.0.2');
    expect(admit.networks.networks).toBe(1);
    let third = false;
    const waiting = admit('10.0.0.3').then((r) => ((third = true), r));
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    (await waiting)();
    expect(third).toBe(true);
  });

  it('computes tokens from elapsed time (fake clock)', () => {
    let now = 0;
    const b = new TokenBucket(100, 5, () => now);
    let n = 0;
    while (b.tryTake()) n++;
    expect(n).toBe(5); // the burst
    now += 1000;
    n = 0;
    while (b.tryTake()) n++;
    expect(n).toBe(5); // capped at the burst, not 100
    now += 30;
    n = 0;
    while (b.tryTake()) n++;
    expect(n).toBe(3);
  });
});

describe('per-network cap', () => {
  it('keeps at most N connections in flight per /24 and hands slots over in order', async () => {
    const limiter = new NetworkLimiter(2, 24, 48);
    expect(limiter.networkOf('20.1.2.3')).toBe(limiter.networkOf('20.1.2.200'));
    expect(limiter.networkOf('20.1.2.3')).not.toBe(limiter.networkOf('20.1.3.3'));
    expect(limiter.networkOf('2001:db8:1:2::1')).toBe(limiter.networkOf('2001:db8:1:ffff::9'));
    expect(limiter.networkOf('2001:db8:1:2::1')).not.toBe(limiter.networkOf('2001:db8:2:2::1'));
    const r1 = await limiter.acquire('20.1.2.3');
    const r2 = await limiter.acquire('20.1.2.4');
    const other = await limiter.acquire('20.1.3.4'); // another /24 is not held up
    let third = false;
    const p3 = limiter.acquire('20.1.2.5').then((r) => {
      third = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    r1();
    r1(); // releasing twice is harmless
    const r3 = await p3;
    expect(third).toBe(true);
    r2();
    r3();
    other();
    expect(limiter.networks).toBe(0);
  });
});
