import { describe, expect, it } from 'vitest';
import { checkPlugin, validateConfig } from '@wildtls/core';
import plugin from '@wildtls/protocol-smtp';

describe('smtp plugin object', () => {
  it('passes the loader checks and declares the three services with the study ports', () => {
    expect(checkPlugin(plugin, '@wildtls/protocol-smtp')).toBe(plugin);
    expect(plugin.services.map((s) => [s.name, s.defaultPort, s.mode])).toEqual([
      ['smtp', 25, 'starttls'],
      ['submission', 587, 'starttls'],
      ['smtps', 465, 'implicit'],
    ]);
  });

  it('defaults the EHLO name to one that says it is a research scanner', () => {
    const cfg = validateConfig({}, [plugin]) as unknown as { options: { smtp: Record<string, unknown> } };
    expect(cfg.options.smtp).toEqual({ ehloName: 'wildtls-research-scanner.invalid', maxReplyLines: 128, quitTimeoutMs: 2000 });
  });

  it('refuses an EHLO name that could inject a command', () => {
    expect(() => validateConfig({ options: { smtp: { ehloName: 'a\r\nMAIL FROM:<x>' } } }, [plugin])).toThrow(/options\.smtp\.ehloName/);
    expect(() => validateConfig({ options: { smtp: { ehlo: 'x' } } }, [plugin])).toThrow(/ehlo/);
  });
});
