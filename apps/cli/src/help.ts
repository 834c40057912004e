// Help text, generated from the command table, the option catalog and the exit status table;
// the words come from the contracts (ROUTES summaries, schema descriptions), so help cannot
// drift from what the API does.
import { ROUTES } from '@snapfleet/contracts';
import type { ArgSpec, CommandSpec } from './command-spec';
import { COMMANDS } from './command-table';
import { schemaDescription } from './describe-schema';
import { exitCodeRows } from './exit-codes';
import { ALL_OPTIONS, GLOBAL_OPTIONS, MUTATION_OPTIONS, type OptionName } from './options';

const ENVIRONMENT = 'SNAPFLEET_API_URL, SNAPFLEET_API_TOKEN, SNAPFLEET_HOST_ID (flags win)';

export function summaryOf(cmd: CommandSpec): string {
  const summary = ROUTES[cmd.route].summary;
  return cmd.note ? `${summary} — ${cmd.note}` : summary;
}

export function synopsis(cmd: CommandSpec): string {
  const args = cmd.args.map((a) => {
    const word = a.variadic ? `${a.name}...` : a.name;
    return a.optional ? `[${word}]` : word;
  });
  return [cmd.name, ...args].join(' ');
}

function argDescription(a: ArgSpec): string {
  return [a.about, schemaDescription(a.schema)].filter((x) => x).join('. ');
}

function optionLabel(name: OptionName): string {
  const o = ALL_OPTIONS[name];
  const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}`;
  return o.value ? `${flag} ${o.value}` : flag;
}

/** Two columns, the first padded: `  left   right`. */
function columns(rows: readonly (readonly [string, string])[], indent = '  '): string {
  const w = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `${indent}${l.padEnd(w)}   ${r}`.trimEnd()).join('\n');
}

const optionRows = (names: readonly OptionName[]) => names.map((n): [string, string] => [optionLabel(n), ALL_OPTIONS[n].about]);
const exitSection = () => `Exit status:\n${columns(exitCodeRows())}`;
const mutationCommands = () => COMMANDS.filter((c) => MUTATION_OPTIONS.every((o) => c.options.includes(o))).map((c) => c.name);

export function globalHelp(): string {
  return [
    'snapctl: command-line client of the snapfleet API (btrfs snapshots with containerd semantics)',
    '',
    'Usage: snapctl [options] COMMAND [ARGS]',
    '       snapctl help COMMAND, snapctl COMMAND --help',
    '',
    `Commands:\n${columns(COMMANDS.map((c) => [synopsis(c), summaryOf(c)]))}`,
    '',
    `Options:\n${columns(optionRows(Object.keys(GLOBAL_OPTIONS) as OptionName[]))}`,
    '',
    `Job options (${mutationCommands().join(', ')}):\n${columns(optionRows(MUTATION_OPTIONS))}`,
    '',
    `Environment: ${ENVIRONMENT}`,
    'A key starting with "-" goes after "--": snapctl rm -- -key',
    '',
    exitSection(),
    '',
  ].join('\n');
}

export function commandHelp(cmd: CommandSpec): string {
  const route = ROUTES[cmd.route];
  const sections = [
    `Usage: snapctl ${synopsis(cmd)}${cmd.options.length > 0 ? ' [options]' : ''}`,
    '',
    summaryOf(cmd) + (cmd.about ? `\n${cmd.about}` : ''),
    `API: ${route.method} ${route.path}${'async' in route && route.async ? ' (runs as a job on the host)' : ''}`,
  ];
  if (cmd.args.length > 0) sections.push('', `Arguments:\n${columns(cmd.args.map((a) => [a.name, argDescription(a)]))}`);
  if (cmd.options.length > 0) sections.push('', `Options:\n${columns(optionRows(cmd.options))}`);
  sections.push('', `Global options:\n${columns(optionRows(Object.keys(GLOBAL_OPTIONS) as OptionName[]))}`, '', exitSection(), '');
  return sections.join('\n');
}
