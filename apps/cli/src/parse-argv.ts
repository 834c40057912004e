// The command line → a command and its values, or a request for help. util.parseArgs does
// the reading (options may come before or after the command, `--` ends them); this file adds
// what it cannot know: which command is meant, whether an option applies to it, and how many
// arguments it takes.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandSpec } from './command-spec';
import { COMMAND_GROUPS, COMMANDS, findCommand } from './command-table';
import { Invocation, type OptionValues } from './invocation';
import { ALL_OPTIONS, GLOBAL_OPTIONS, type OptionName } from './options';
import { UsageError } from './usage-error';

export type ParsedArgv = { kind: 'help'; command?: CommandSpec } | { kind: 'run'; invocation: Invocation };

const PARSE_OPTIONS: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  Object.entries(ALL_OPTIONS).map(([name, o]) => [
    name,
    { type: o.type, ...('short' in o && o.short ? { short: o.short } : {}), ...('multiple' in o && o.multiple ? { multiple: true } : {}) },
  ]),
);

export function parseArgv(argv: readonly string[]): ParsedArgv {
  // A lenient pass first finds the command, so that a bad option gets that command's help.
  const loose = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: false, allowPositionals: true });
  const named = commandOf(loose.positionals);
  let values: OptionValues;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: true, allowPositionals: true }) as {
      values: OptionValues;
      positionals: string[];
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), named.command?.name);
  }

  if (positionals[0] === 'help') {
    const rest = positionals.slice(1).join(' ');
    if (rest === '') return { kind: 'help' };
    const command = findCommand(rest);
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(rest)}`);
    return { kind: 'help', command };
  }
  if (positionals.length === 0) {
    if (values.help) return { kind: 'help' };
    throw new UsageError('no command given');
  }
  const { command, words } = commandOf(positionals);
  if (!command) throw new UsageError(unknownCommand(positionals));
  if (values.help) return { kind: 'help', command };

  for (const name of Object.keys(values) as OptionName[]) {
    if (!(name in GLOBAL_OPTIONS) && !(command.options as readonly string[]).includes(name)) {
      throw new UsageError(`--${name} does not apply to ${command.name}`, command.name);
    }
  }
  const args = positionals.slice(words);
  checkArity(command, args);
  return { kind: 'run', invocation: new Invocation(command, args, values) };
}

function commandOf(positionals: readonly string[]): { command: CommandSpec | undefined; words: number } {
  const first = positionals[0];
  if (first === undefined) return { command: undefined, words: 0 };
  if (COMMAND_GROUPS.has(first)) return { command: findCommand(`${first} ${positionals[1] ?? ''}`), words: 2 };
  return { command: findCommand(first), words: 1 };
}

function unknownCommand(positionals: readonly string[]): string {
  const first = positionals[0]!;
  if (COMMAND_GROUPS.has(first)) {
    const subs = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1));
    return positionals[1] === undefined ? `${first} needs one of: ${subs.join(', ')}` : `unknown command "${first} ${positionals[1]}" (${first}: ${subs.join(', ')})`;
  }
  return `unknown command ${JSON.stringify(first)}`;
}

function checkArity(command: CommandSpec, args: readonly string[]): void {
  const required = command.args.filter((a) => !a.optional).length;
  const variadic = command.args.some((a) => a.variadic);
  if (args.length < required) {
    const missing = command.args.filter((a) => !a.optional)[args.length]!;
    throw new UsageError(`${command.name}: missing ${missing.name}`, command.name);
  }
  if (!variadic && args.length > command.args.length) {
    throw new UsageError(`${command.name}: unexpected argument ${JSON.stringify(args[command.args.length])}`, command.name);
  }
}
