import { describe, expect, it } from 'vitest';
import { createAdmission, NetworkLimiter } from '@wildtls/core';

/**
 * The per-network cap's semantics as data. Each step is `take NAME IP` (a probe asks for a slot,
 * waiting if there is no room), `release NAME` or `release-again NAME` (a second call of the same
 * release; only for the API that hands out release functions), then `->` and the probes holding a
 * slot once everything has settled, in the order they got it, and optionally `nets=N` (networks
 * with a slot held) and `waiting=N` (networks with a waiter). Every case ends with everything
 * released, and then both maps must be empty.
 */
interface Case {
  name: string;
  perNetwork: number;
  v4?: number;
  v6?: number;
  /** The APIs the case holds for (default: all three). */
  apis?: Api[];
  steps: string[];
}

const cases: Case[] = [
  {
    name: 'IPv4 /24: the cap holds within a /24, another /24 is not held up, a release hands over',
    perNetwork: 2,
    steps: [
      'take a 20.1.2.3 -> a nets=1',
      'take b 20.1.2.200 -> a b nets=1',
      'take c 20.1.2.5 -> a b waiting=1',
      'take d 20.1.3.4 -> a b d nets=2',
      'release a -> b d c nets=2 waiting=0',
      'release b -> d c',
      'release c -> d nets=1',
      'release d -> nets=0',
    ],
  },
  {
    name: 'IPv4 /32 (addresses above 2^31 too): every address its own network',
    perNetwork: 1,
    v4: 32,
    steps: [
      'take a 200.1.2.3 -> a',
      'take b 200.1.2.4 -> a b nets=2',
      'take c 200.1.2.3 -> a b',
      'take d 72.1.2.3 -> a b d nets=3',
      'release a -> b d c',
      'release b -> d c nets=2',
      'release c -> d',
      'release d -> nets=0',
    ],
  },
  {
    name: 'IPv4 /0: the whole address space is one network',
    perNetwork: 1,
    v4: 0,
    steps: ['take a 1.2.3.4 -> a', 'take b 255.0.0.1 -> a', 'take c 128.0.0.1 -> a', 'release a -> b', 'release b -> c', 'release c -> nets=0'],
  },
  {
    name: 'IPv4 /25: the prefix bits decide, not the octets',
    perNetwork: 1,
    v4: 25,
    steps: ['take a 20.1.2.1 -> a', 'take b 20.1.2.127 -> a', 'take c 20.1.2.128 -> a c', 'release a -> c b', 'release b -> c', 'release c -> nets=0'],
  },
  {
    name: 'IPv4 /16',
    perNetwork: 1,
    v4: 16,
    steps: ['take a 20.1.2.1 -> a', 'take b 20.1.200.7 -> a', 'take c 20.2.2.1 -> a c', 'release c -> a nets=1', 'release a -> b', 'release b -> nets=0'],
  },
  {
    name: 'IPv6 /48: the first 48 bits decide',
    perNetwork: 1,
    steps: [
      'take a 2001:db8:1:2::1 -> a',
      'take b 2001:db8:1:ffff::9 -> a',
      'take c 2001:db8:2:2::1 -> a c nets=2',
      'release a -> c b',
      'release b -> c nets=1',
      'release c -> nets=0',
    ],
  },
  {
    name: 'IPv6 /52: a prefix inside a byte',
    perNetwork: 1,
    v6: 52,
    steps: ['take a 2001:db8:1:fff::1 -> a', 'take b 2001:db8:1:0::2 -> a', 'take c 2001:db8:1:1000::1 -> a c', 'release a -> c b', 'release c -> b', 'release b -> nets=0'],
  },
  {
    name: 'an IPv4-mapped IPv6 address counts in its IPv4 network; IPv6 and IPv4 networks are apart',
    perNetwork: 1,
    v6: 0,
    steps: ['take a ::ffff:20.1.2.3 -> a', 'take b 20.1.2.4 -> a', 'take c 2001:db8::1 -> a c', 'take d ::1 -> a c', 'release a -> c b', 'release c -> b d', 'release b -> d', 'release d -> nets=0'],
  },
  {
    name: 'first come, first served: waiters get the slot in the order they asked, per network',
    perNetwork: 1,
    steps: [
      'take a 20.1.2.1 -> a',
      'take x 20.9.9.1 -> a x',
      'take b 20.1.2.2 -> a x',
      'take y 20.9.9.2 -> a x',
      'take c 20.1.2.3 -> a x',
      'take z 20.9.9.3 -> a x',
      'take d 20.1.2.4 -> a x waiting=2',
      'release x -> a y',
      'release a -> y b',
      'release b -> y c',
      'release y -> c z waiting=1',
      'release c -> z d waiting=0',
      'release z -> d',
      'release d -> nets=0',
    ],
  },
  {
    name: 'a release function frees its slot once, however often it is called',
    perNetwork: 1,
    apis: ['closure'],
    steps: ['take a 20.1.2.1 -> a', 'take b 20.1.2.2 -> a', 'take c 20.1.2.3 -> a', 'release a -> b', 'release-again a -> b', 'release b -> c', 'release-again b -> c', 'release c -> nets=0', 'release-again c -> nets=0'],
  },
];

type Api = 'keyed' | 'closure' | 'admission';

/** A probe's way through one API: take (resolves once it holds a slot) and release. */
interface Driver {
  take(ip: string): Promise<() => void>;
  networks(): number;
  waiting(): number;
}

function driver(api: Api, c: Case): Driver {
  const v4 = c.v4 ?? 24;
  const v6 = c.v6 ?? 48;
  if (api === 'admission') {
    const admit = createAdmission({ rate: 0, perNetwork: c.perNetwork, prefixV4: v4, prefixV6: v6 });
    return {
      take: async (ip) => {
        if (!admit.tryAdmit(ip)) await admit.wait(ip);
        return () => admit.release(ip);
      },
      networks: () => admit.networks.networks,
      waiting: () => admit.networks.waitingNetworks,
    };
  }
  const limiter = new NetworkLimiter(c.perNetwork, v4, v6);
  return {
    take:
      api === 'closure'
        ? (ip) => limiter.acquire(ip)
        : async (ip) => {
            if (!limiter.tryAcquire(ip)) await limiter.wait(ip);
            return () => limiter.release(ip);
          },
    networks: () => limiter.networks,
    waiting: () => limiter.waitingNetworks,
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function play(api: Api, c: Case): Promise<void> {
  const d = driver(api, c);
  const holding: string[] = [];
  const releases = new Map<string, () => void>();
  for (const step of c.steps) {
    const [action, expected = ''] = step.split(' -> ');
    const [verb, name, ip] = action!.split(' ');
    if (verb === 'take') {
      void d.take(ip!).then((release) => {
        holding.push(name!);
        releases.set(name!, release);
      });
    } else {
      const release = releases.get(name!);
      if (!release) throw new Error(`${step}: ${name} holds no slot`);
      if (verb === 'release') holding.splice(holding.indexOf(name!), 1);
      release();
    }
    await settle();
    const words = expected.split(' ').filter(Boolean);
    expect(holding, `${step}`).toEqual(words.filter((w) => !w.includes('=')));
    for (const w of words.filter((w) => w.includes('='))) {
      const [what, n] = w.split('=');
      expect(what === 'nets' ? d.networks() : d.waiting(), `${step}: ${what}`).toBe(Number(n));
    }
  }
  // Everything released: memory back to zero.
  expect(holding).toEqual([]);
  expect(d.networks()).toBe(0);
  expect(d.waiting()).toBe(0);
}

describe('per-network cap, from declarative cases', () => {
  for (const c of cases) {
    for (const api of c.apis ?? (['keyed', 'closure', 'admission'] as const)) {
      it(`${c.name} (${api})`, () => play(api, c));
    }
  }
});
