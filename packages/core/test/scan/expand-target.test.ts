import { describe, expect, it } from 'vitest';
import { expandTarget, type ProtocolPlugin, type ScanService } from '@wildtls/core';

const plugin: ProtocolPlugin = {
  kind: 'protocol',
  id: 'p',
  version: '0',
  api: '^1.0.0',
  services: [
    { name: 'a', defaultPort: 1, mode: 'implicit', dialog: async () => 'success' },
    { name: 'b', defaultPort: 2, mode: 'implicit', dialog: async () => 'success' },
  ],
};
const services: ScanService[] = [
  { service: { plugin, spec: plugin.services[0]! }, ports: [443, 8443], options: {} },
  { service: { plugin, spec: plugin.services[1]! }, ports: [25], options: {} },
];
const probes = (input: Parameters<typeof expandTarget>[0]) => [...expandTarget(input, services)].map(({ target, scan }) => ({ ...target, spec: scan.service.spec.name }));

describe('expandTarget', () => {
  it('one probe per (service, port) in config order; a fixed port or service narrows it; names are carried', () => {
    expect(probes({ ip: '10.0.0.1' })).toEqual([
      { ip: '10.0.0.1', port: 443, service: 'a', spec: 'a' },
      { ip: '10.0.0.1', port: 8443, service: 'a', spec: 'a' },
      { ip: '10.0.0.1', port: 25, service: 'b', spec: 'b' },
    ]);
    expect(probes({ ip: '10.0.0.1', port: 993 })).toEqual([
      { ip: '10.0.0.1', port: 993, service: 'a', spec: 'a' },
      { ip: '10.0.0.1', port: 993, service: 'b', spec: 'b' },
    ]);
    expect(probes({ ip: '10.0.0.1', service: 'b' })).toEqual([{ ip: '10.0.0.1', port: 25, service: 'b', spec: 'b' }]);
    expect(probes({ ip: '10.0.0.1', port: 26, service: 'b', domain: 'mx.example', mailDomain: 'example' })).toEqual([
      { ip: '10.0.0.1', port: 26, service: 'b', domain: 'mx.example', mailDomain: 'example', spec: 'b' },
    ]);
    expect(probes({ ip: '10.0.0.1', service: 'c' })).toEqual([]);
    // Key order is the record's: ip, port, service, then the names.
    expect(Object.keys(probes({ ip: '10.0.0.1', domain: 'd', mailDomain: 'm' })[0]!)).toEqual(['ip', 'port', 'service', 'domain', 'mailDomain', 'spec']);
  });
});
