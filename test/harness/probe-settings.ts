import type { ProbeSettings, ProbeTimeouts } from '@wildtls/core';

/** What a test gives probeSettings(): the ladder always (a profile is the test's choice), anything else only where it differs. */
export type ProbeSettingsOverrides = Partial<Omit<ProbeSettings, 'timeouts' | 'ladder'>> & {
  ladder: ProbeSettings['ladder'];
  timeouts?: Partial<ProbeTimeouts>;
};

/**
 * The probe settings of a loopback test: 2 s to connect and per read, 10 s a probe, 8 KiB lines,
 * 1 MiB in all, no SNI, no retries, the whole handshake; `o` replaces any of them (a timeout
 * alone, keeping the others). One place for the shape, so a new setting is added once.
 */
export function probeSettings(o: ProbeSettingsOverrides): ProbeSettings {
  const { timeouts, ...rest } = o;
  return {
    timeouts: { connectMs: 2000, readMs: 2000, probeMs: 10_000, ...timeouts },
    maxLineBytes: 8192,
    maxTotalBytes: 1 << 20,
    observeOnly: false,
    sni: false,
    connectRetries: 0,
    ...rest,
  };
}
