import { describe, expect, it } from 'vitest';
import { checkPlugin, validateConfig } from '@wildtls/core';
import plugin from '../src/index.js';

describe('IMAP plugin contract', () => {
  it('passes the loader check with its two services and the study ports', () => {
    const p = checkPlugin(plugin, '@wildtls/protocol-imap');
    expect(p.id).toBe('imap');
    expect(plugin.services.map((s) => [s.name, s.defaultPort, s.mode])).toEqual([['imap', 143, 'starttls'], ['imaps', 993, 'implicit']]);
  });

  it('fills option defaults and refuses unknown or out-of-range options', () => {
    const cfg = validateConfig({}, [plugin]) as unknown as { options: { imap: unknown } };
    expect(cfg.options.imap).toEqual({ alwaysAskCapability: false, maxReplyLines: 256 });
    expect(() => validateConfig({ options: { imap: { maxReplyLines: 0 } } }, [plugin])).toThrow(/maxReplyLines/);
    expect(() => validateConfig({ options: { imap: { login: 'x' } } }, [plugin])).toThrow(/login/);
  });
});
