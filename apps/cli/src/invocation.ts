// One parsed command line: the command, its positional arguments and its option values, with
// typed accessors so handlers never poke at util.parseArgs' loose value bag.
import type { z } from 'zod';
import { describeIssues } from '@snapfleet/contracts';
import type { CommandSpec } from './command-spec';
import type { OptionName } from './options';
import { UsageError } from './usage-error';

export type OptionValues = Partial<Record<OptionName, string | boolean | string[]>>;

export class Invocation {
  constructor(
    readonly command: CommandSpec,
    readonly args: readonly string[],
    readonly values: OptionValues,
  ) {}

  string(name: OptionName): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  flag(name: OptionName): boolean {
    return this.values[name] === true;
  }

  list(name: OptionName): string[] {
    const v = this.values[name];
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  }

  /** An option's value checked by a contract schema (e.g. `?limit=`): a bad one is a usage error. */
  parsed<S extends z.ZodType>(name: OptionName, schema: S): z.infer<S> | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const r = schema.safeParse(raw);
    if (!r.success) throw new UsageError(`--${name} ${JSON.stringify(raw)}: ${describeIssues(r.error)}`, this.command.name);
    return r.data;
  }

  /** A positive number of seconds, as milliseconds. */
  seconds(name: OptionName): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number of seconds, not ${JSON.stringify(raw)}`, this.command.name);
    return Math.round(n * 1000);
  }
}
