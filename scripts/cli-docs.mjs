// Renders the command reference of docs/cli.md from the oclif commands themselves
// (the CLI package's commands as oclif loads them: every command, without a list to keep),
// between two markers; the hand-written text around the markers is kept as it is.
import { Config } from '@oclif/core';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const CLI_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../packages/cli');
export const BEGIN = '<!-- BEGIN GENERATED COMMANDS: `npm run docs` writes this part from the command classes in packages/cli/src/commands; edit them, not this -->';
export const END = '<!-- END GENERATED COMMANDS -->';

const cell = (text) => String(text ?? '').replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
const bin = 'wildtls';

function flagName(f) {
  const long = f.type === 'boolean' && f.allowNo ? `--[no-]${f.name}` : `--${f.name}`;
  const value = f.type === 'option' ? ' <value>' : '';
  return `${f.char ? `-${f.char}, ` : ''}${long}${value}`;
}

function flagTable(flags) {
  const out = ['| flag | description | default | values |', '| --- | --- | --- | --- |'];
  for (const f of flags) {
    const def = f.default !== undefined && typeof f.default !== 'function' ? `\`${JSON.stringify(f.default)}\`` : '';
    const values = [...(f.options ?? []).map((o) => `\`${o}\``), ...(f.multiple ? ['repeatable'] : [])].join(', ');
    out.push(`| \`${flagName(f)}\` | ${cell(f.description)} | ${def} | ${values} |`);
  }
  return out;
}

function usage(cmd, name) {
  const args = Object.values(cmd.args ?? {}).map((a) => {
    const word = `${a.name.toUpperCase()}${cmd.strict === false ? '...' : ''}`;
    return a.required ? word : `[${word}]`;
  });
  const hasFlags = Object.values(cmd.flags ?? {}).some((f) => !f.hidden && f.helpGroup !== 'GLOBAL');
  return [bin, name, ...args, ...(hasFlags ? ['[FLAGS]'] : [])].join(' ');
}

function example(e, cmd) {
  const text = typeof e === 'string' ? e : `# ${e.description}\n${e.command}`;
  return text.replaceAll('<%= config.bin %>', bin).replaceAll('<%= command.id %>', cmd.id.replaceAll(':', ' '));
}

function commandSection(cmd) {
  const name = cmd.id.replaceAll(':', ' ');
  const flags = Object.values(cmd.flags ?? {}).filter((f) => !f.hidden && f.helpGroup !== 'GLOBAL');
  const args = Object.values(cmd.args ?? {});
  const out = [`### \`${bin} ${name}\``, '', cell(cmd.description ?? cmd.summary), '', `Usage: \`${usage(cmd, name)}\``, ''];
  if (args.length) {
    out.push('| argument | description |', '| --- | --- |');
    for (const a of args) out.push(`| \`${a.name.toUpperCase()}\` | ${cell(a.description)}${a.required ? ' (required)' : ''} |`);
    out.push('');
  }
  if (flags.length) out.push(...flagTable(flags), '');
  const examples = cmd.examples ?? [];
  if (examples.length) out.push('```sh', ...examples.map((e) => example(e, cmd)), '```', '');
  return out;
}

/** The generated part: an index, the global flags (once), then each command. */
export async function renderCommandReference() {
  const config = await Config.load(CLI_ROOT);
  const commands = config.commands.filter((c) => !c.hidden).sort((a, b) => a.id.localeCompare(b.id));
  const globals = new Map();
  for (const c of commands) for (const f of Object.values(c.flags ?? {})) if (f.helpGroup === 'GLOBAL' && !f.hidden) globals.set(f.name, f);
  const out = ['## Commands', '', '| command | what |', '| --- | --- |'];
  for (const c of commands) {
    const name = c.id.replaceAll(':', ' ');
    out.push(`| [\`${bin} ${name}\`](#${`${bin}-${name}`.replaceAll(' ', '-')}) | ${cell(c.summary ?? (c.description ?? '').split(/(?<=\.)\s/)[0])} |`);
  }
  out.push('', '## Global flags', '', 'Every command that loads a config takes these.', '', ...flagTable([...globals.values()]), '');
  for (const c of commands) out.push(...commandSection(c));
  return out.join('\n');
}

/** docs/cli.md with its generated part rewritten; `current` is the file as it is (the hand-written parts are its own). */
export async function renderCliDoc(current) {
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/cli.md lacks the markers ${BEGIN} ... ${END}`);
  return `${current.slice(0, begin + BEGIN.length)}\n${await renderCommandReference()}\n${current.slice(end)}`;
}
