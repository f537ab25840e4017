/**
 * __PACKAGE__: a wildtls analysis plugin, __NAME__.
 *
 * This file is the package's only public door: it exports the plugin object
 * that wildtls loads when a config names this package (or its folder) in
 * `plugins`. The analysis itself lives in ./analyzer.ts.
 */
import { createRequire } from 'node:module';
import { defineAnalysisPlugin, Type, type Static } from '@wildtls/core';
import { __PASCAL__Analyzer } from './analyzer.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * The plugin's own config section, `options.__NAME__` in wildtls.config.yaml,
 * validated and defaulted by wildtls. FILL IN: the analysis's parameters.
 */
export const OptionsSchema = Type.Object(
  {
    services: Type.Array(Type.String(), { default: [], description: 'Only count these services (empty: all).' }),
  },
  { additionalProperties: false },
);
export type __PASCAL__Options = Static<typeof OptionsSchema>;

export { __PASCAL__Analyzer } from './analyzer.js';

export const plugin = defineAnalysisPlugin<__PASCAL__Options>({
  kind: 'analysis',
  // The id is what `wildtls analyze --analysis <id>` and the config's `analyses` list name.
  id: '__NAME__',
  version,
  // The plugin API range this plugin is built for; wildtls refuses it when incompatible.
  api: '^1.0.0',
  description: '__NAME__: per service, servers probed and servers with a completed TLS handshake',
  configSchema: OptionsSchema,
  // One analyzer per run: it sees every record once (live during `wildtls scan`,
  // or from stored JSONL in `wildtls analyze`), then returns its report.
  create: ({ options, params }) => new __PASCAL__Analyzer({ version, services: options?.services ?? [], at: params.at }),
});

export default plugin;
