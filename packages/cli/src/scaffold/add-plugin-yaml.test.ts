import { describe, expect, it } from 'vitest';
import { addPluginToYaml, removePluginFromYaml } from './add-plugin-yaml.js';

const DEFAULTS = ['@wildtls/protocol-smtp', '@wildtls/analysis-sasl'];

describe('addPluginToYaml', () => {
  it('appends to an existing list and keeps every comment', () => {
    const text = ['# my lab config', 'plugins:', '  # the mail protocols', '  - "@wildtls/protocol-smtp" # port 25', 'scan:', '  rate: 10 # be gentle', ''].join('\n');
    const r = addPluginToYaml(text, './wildtls-protocol-ftp', DEFAULTS);
    expect(r.added).toBe(true);
    expect(r.plugins).toEqual(['@wildtls/protocol-smtp', './wildtls-protocol-ftp']);
    expect(r.text).toBe(['# my lab config', 'plugins:', '  # the mail protocols', '  - "@wildtls/protocol-smtp" # port 25', '  - ./wildtls-protocol-ftp', 'scan:', '  rate: 10 # be gentle', ''].join('\n'));
  });

  it('appends to a flow list', () => {
    const r = addPluginToYaml('plugins: [a, b] # two\n', 'c', DEFAULTS);
    expect(r.text).toBe('plugins: [ a, b, c ] # two\n');
  });

  it('creates the list from the defaults when there is none, at the top, keeping comments', () => {
    const r = addPluginToYaml('# header\n\nscan:\n  rate: 5 # slow\n', 'wildtls-protocol-ftp', DEFAULTS);
    expect(r.plugins).toEqual([...DEFAULTS, 'wildtls-protocol-ftp']);
    expect(r.text).toContain('# header');
    expect(r.text).toContain('rate: 5 # slow');
    expect(r.text.indexOf('plugins:')).toBeLessThan(r.text.indexOf('scan:'));
    expect(r.text).toContain('  - "@wildtls/protocol-smtp"\n  - "@wildtls/analysis-sasl"\n  - wildtls-protocol-ftp\n');
  });

  it('fills an empty file and an empty plugins key', () => {
    expect(addPluginToYaml('', 'x', DEFAULTS).plugins).toEqual([...DEFAULTS, 'x']);
    const r = addPluginToYaml('plugins:\nscan: {}\n', 'x', DEFAULTS);
    expect(r.plugins).toEqual([...DEFAULTS, 'x']);
    expect(r.text.match(/plugins:/g)).toHaveLength(1);
  });

  it('leaves the text alone when the plugin is already listed', () => {
    const text = 'plugins:\n  - x # mine\n';
    expect(addPluginToYaml(text, 'x', DEFAULTS)).toEqual({ text, added: false, plugins: ['x'] });
  });

  it('refuses what it cannot edit safely', () => {
    expect(() => addPluginToYaml('plugins: yes\n', 'x', DEFAULTS)).toThrow('"plugins" is not a list');
    expect(() => addPluginToYaml('- a\n- b\n', 'x', DEFAULTS)).toThrow('not a YAML mapping');
    expect(() => addPluginToYaml('plugins: [a\n', 'x', DEFAULTS)).toThrow();
  });
});

describe('removePluginFromYaml', () => {
  it('drops one entry and keeps the comments of the others and of the file', () => {
    const text = ['# my lab config', 'plugins:', '  # the mail protocols', '  - "@wildtls/protocol-smtp" # port 25', '  - ./wildtls-protocol-ftp # ours', 'scan:', '  rate: 10 # be gentle', ''].join('\n');
    const r = removePluginFromYaml(text, './wildtls-protocol-ftp', DEFAULTS);
    expect(r).toMatchObject({ removed: true, plugins: ['@wildtls/protocol-smtp'] });
    expect(r.text).toBe(['# my lab config', 'plugins:', '  # the mail protocols', '  - "@wildtls/protocol-smtp" # port 25', 'scan:', '  rate: 10 # be gentle', ''].join('\n'));
  });

  it('is the inverse of addPluginToYaml on a list', () => {
    const text = 'plugins:\n  - a # first\n  - b\nscan: {}\n';
    expect(removePluginFromYaml(addPluginToYaml(text, 'c', DEFAULTS).text, 'c', DEFAULTS).text).toBe(text);
  });

  it('without a list, removing a default writes the list of the other defaults; anything else changes nothing', () => {
    const r = removePluginFromYaml('# header\nscan:\n  rate: 5 # slow\n', '@wildtls/analysis-sasl', DEFAULTS);
    expect(r).toMatchObject({ removed: true, plugins: ['@wildtls/protocol-smtp'] });
    expect(r.text).toContain('# header');
    expect(r.text).toContain('rate: 5 # slow');
    expect(r.text).toContain('plugins:\n  - "@wildtls/protocol-smtp"\n');
    const text = 'scan: {}\n';
    expect(removePluginFromYaml(text, 'other', DEFAULTS)).toEqual({ text, removed: false, plugins: DEFAULTS });
  });

  it('leaves a list that lacks the entry alone, and refuses what it cannot edit', () => {
    const text = 'plugins: [a, b] # two\n';
    expect(removePluginFromYaml(text, 'c', DEFAULTS)).toEqual({ text, removed: false, plugins: ['a', 'b'] });
    expect(removePluginFromYaml(text, 'a', DEFAULTS).text).toBe('plugins: [ b ] # two\n');
    expect(() => removePluginFromYaml('plugins: yes\n', 'x', DEFAULTS)).toThrow('"plugins" is not a list');
  });
});
