import { describe, expect, it } from 'vitest';
import { parsePackageArg } from './npm-install.js';

describe('parsePackageArg', () => {
  it('splits a name from its version or range', () => {
    expect(parsePackageArg('wildtls-protocol-ftp')).toEqual({ name: 'wildtls-protocol-ftp', install: 'wildtls-protocol-ftp' });
    expect(parsePackageArg('wildtls-protocol-ftp@1.2.0')).toEqual({ name: 'wildtls-protocol-ftp', install: 'wildtls-protocol-ftp@1.2.0' });
    expect(parsePackageArg('@mylab/wildtls-analysis-x')).toEqual({ name: '@mylab/wildtls-analysis-x', install: '@mylab/wildtls-analysis-x' });
    expect(parsePackageArg('@mylab/wildtls-analysis-x@^0.2')).toEqual({ name: '@mylab/wildtls-analysis-x', install: '@mylab/wildtls-analysis-x@^0.2' });
    expect(parsePackageArg('x@latest')).toEqual({ name: 'x', install: 'x@latest' });
  });

  it('refuses what is not a registry package name', () => {
    for (const arg of ['Upper', '@scope', '@/x', 'a b', 'git+https://example.invalid/x.git', 'x@$(id)', 'x@1;rm', '']) {
      expect(parsePackageArg(arg), arg).toBeUndefined();
    }
  });
});
