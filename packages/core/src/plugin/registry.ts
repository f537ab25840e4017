import { WildtlsError } from '../errors.js';
import type { AnalysisPlugin, ProtocolPlugin, ServiceSpec, SinkPlugin, TargetSourcePlugin, WildtlsPlugin } from './api.js';
import type { LoadedPlugin } from './load-plugins.js';

export interface ResolvedService {
  plugin: ProtocolPlugin;
  spec: ServiceSpec;
}

/** The plugins of one run, indexed by id and by service name. */
export class PluginRegistry {
  private readonly services = new Map<string, ResolvedService>();

  constructor(readonly loaded: readonly LoadedPlugin[]) {
    for (const { plugin } of loaded) {
      if (plugin.kind !== 'protocol') continue;
      for (const spec of plugin.services) {
        const other = this.services.get(spec.name);
        if (other) {
          throw new WildtlsError('WILDTLS_ERR_PLUGIN_DUPLICATE', `service "${spec.name}" is provided by both "${other.plugin.id}" and "${plugin.id}"; remove one of them from the plugins list.`);
        }
        this.services.set(spec.name, { plugin, spec });
      }
    }
  }

  get plugins(): WildtlsPlugin[] {
    return this.loaded.map((l) => l.plugin);
  }

  byId(id: string): WildtlsPlugin | undefined {
    return this.plugins.find((p) => p.id === id);
  }

  service(name: string): ResolvedService {
    const s = this.services.get(name);
    if (!s) {
      const known = [...this.services.keys()].sort().join(', ') || '(none: no protocol plugin is loaded)';
      throw new WildtlsError('WILDTLS_ERR_UNKNOWN_SERVICE', `unknown service "${name}". Loaded protocol plugins provide: ${known}.`);
    }
    return s;
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  analyses(): AnalysisPlugin[] {
    return this.plugins.filter((p): p is AnalysisPlugin => p.kind === 'analysis');
  }

  sinks(): SinkPlugin[] {
    return this.plugins.filter((p): p is SinkPlugin => p.kind === 'sink');
  }

  targetSources(): TargetSourcePlugin[] {
    return this.plugins.filter((p): p is TargetSourcePlugin => p.kind === 'target-source');
  }
}
