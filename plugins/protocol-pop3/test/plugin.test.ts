import { describe, expect, it } from 'vitest';
import { checkPlugin, validateConfig } from '@wildtls/core';
import plugin from '../src/index.js';

describe('POP3 plugin contract', () => {
  it('passes the loader check with its two services and the study ports', () => {
    const p = checkPlugin(plugin, '@wildtls/protocol-pop3');
    expect(p.id).toBe('pop3');
    expect(plugin.services.map((s) => [s.name, s.defaultPort, s.mode])).toEqual([['pop3', 110, 'starttls'], ['pop3s', 995, 'implicit']]);
  });

  it('fills option defaults and refuses unknown options', () => {
    const cfg = validateConfig({}, [plugin]) as unknown as { options: { pop3: unknown } };
    expect(cfg.options.pop3).toEqual({ maxReplyLines: 256 });
    expect(() => validateConfig({ options: { pop3: { user: 'x' } } }, [plugin])).toThrow(/user/);
  });
});
