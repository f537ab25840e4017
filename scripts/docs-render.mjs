// Renders the generated docs (shared by scripts/generate-docs.mjs and the docs test).
import { ProbeRecordSchema, assembleConfigSchema } from '@wildtls/core';
import { loadRun } from '@wildtls/cli';

export async function renderRecordSchema() {
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', ...JSON.parse(JSON.stringify(ProbeRecordSchema)) };
  return JSON.stringify(schema, null, 2) + '\n';
}

function typeOf(s) {
  if (!s) return '';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${typeOf(s.items)}[]`;
  if (s.type === 'object' && s.patternProperties) return 'map';
  return s.type ?? 'any';
}

function rows(schema, prefix, out) {
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const def = s.default !== undefined && !(typeof s.default === 'object' && s.default !== null && !Array.isArray(s.default)) ? `\`${JSON.stringify(s.default)}\`` : '';
    out.push(`| \`${path}\` | ${typeOf(s)} | ${def} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`);
    if (s.type === 'object' && s.properties) rows(s, path, out);
  }
}

export async function renderConfigReference() {
  const { loaded } = await loadRun({ ignoreConfigFiles: true, logLevel: 'silent' });
  const schema = assembleConfigSchema(loaded.map((l) => l.plugin));
  const out = [
    '# Configuration reference',
    '',
    'Generated from the config schemas by `npm run docs` (core and the built-in plugins); do not edit by hand.',
    'A commented example is [wildtls.config.example.yaml](wildtls.config.example.yaml); `wildtls init` writes it.',
    'Every scan setting can be overridden by the flag of the same name (see `wildtls scan --help`).',
    '',
    '| key | type | default | description |',
    '| --- | --- | --- | --- |',
  ];
  const core = { properties: Object.fromEntries(Object.entries(schema.properties).filter(([k]) => k !== 'options')) };
  rows(core, '', out);
  out.push('', '## Plugin sections (`options.<plugin id>`)', '');
  for (const { plugin, spec } of loaded) {
    const s = schema.properties.options.properties[plugin.id];
    out.push(`### \`options.${plugin.id}\` (${spec}, ${plugin.kind})`, '');
    if (!s.properties || Object.keys(s.properties).length === 0) {
      out.push('No settings.', '');
      continue;
    }
    out.push('| key | type | default | description |', '| --- | --- | --- | --- |');
    rows(s, `options.${plugin.id}`, out);
    out.push('');
  }
  return out.join('\n') + '\n';
}
