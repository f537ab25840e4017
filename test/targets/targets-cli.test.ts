import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsResponder } from '../../packages/core/test/targets/dns-responder.js';
import { BANNER_PLUGIN, runCli } from './cli-run.js';

describe('wildtls targets', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wildtls-targets-'));
    writeFileSync(join(dir, 'wildtls.config.yaml'), `plugins: [${BANNER_PLUGIN}]\n`);
  });

  it('shards are disjoint and cover the range; --count gives the totals', async () => {
    const block = join(dir, 'block.txt');
    writeFileSync(block, '20.50.1.0/24\n');
    const common = ['targets', '20.50.0.0/22', '-p', 'banner', '--seed', '99', '--blocklist', block];
    const all = new Map<string, number>();
    for (let shard = 0; shard < 3; shard++) {
      const r = await runCli([...common, '--shards', '3', '--shard', String(shard)], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      for (const line of r.stdout.trim().split('\n')) {
        const [ip, port, service] = line.split('\t');
        expect(port).toBe('30025');
        expect(service).toBe('banner');
        all.set(ip!, (all.get(ip!) ?? 0) + 1);
      }
    }
    expect(all.size).toBe(1024 - 256);
    expect([...all.values()].every((n) => n === 1)).toBe(true);
    expect([...all.keys()].some((ip) => ip.startsWith('20.50.1.'))).toBe(false);
    const c = await runCli([...common, '--count'], { cwd: dir });
    expect(c.stdout).toMatch(/^targets\t768\nprobes\t768\nexcluded\t256\ninvalid\t0\n/);
  });

  it('resolves a domain list through the given DNS server (loopback), MX first for smtp-like services', async () => {
    const dns = await startDnsResponder({
      'mail.test': { MX: [[10, 'mx.mail.test']], A: ['127.0.30.40'] },
      'mx.mail.test': { A: ['127.0.30.41'] },
    });
    try {
      const list = join(dir, 'top.csv');
      writeFileSync(list, '1,mail.test\n2,nothing.test\n');
      const r = await runCli(
        ['targets', '--source', 'domains', '-i', list, '-p', 'banner', '--dns-server', dns.server, '--allow', '127.0.0.0/8', '--set', 'scan.dns.mxServices=[banner]', '--set', 'scan.dns.ipv6=false'],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('127.0.30.41\t30025\tbanner\tmx.mail.test\n');
    } finally {
      await dns.close();
    }
  });
});
