// The shape of one entry of the command table (command-table.ts): which API route a command
// stands for, its arguments and options, and its handler. Help, parsing and dispatch all read
// these entries, so a command is declared exactly once.
import type { z } from 'zod';
import type { RouteName } from '@snapfleet/contracts';
import type { CommandContext } from './context';
import type { Invocation } from './invocation';
import type { CommandOptionName } from './options';

export interface ArgSpec {
  /** Placeholder shown in help: KEY, PARENT, k=v. */
  name: string;
  /** The contract schema of the value: its `.describe()` text documents the argument. */
  schema?: z.ZodType;
  /** What the argument means to this command, when the schema alone does not say it. */
  about?: string;
  optional?: boolean;
  /** Takes every remaining word (at least one unless optional). */
  variadic?: boolean;
}

export interface CommandSpec {
  /** The words typed: `prepare`, `jobs wait`. */
  name: string;
  /** The API route the command calls; its `summary` is the command's summary. */
  route: RouteName;
  /** What the command adds to the route's summary (`read-only`, `as a tree`). */
  note?: string;
  /** A longer line for the command's own help. */
  about?: string;
  args: readonly ArgSpec[];
  options: readonly CommandOptionName[];
  /** Resolves to the exit status (default 0); typed errors thrown map through exit-codes.ts. */
  run(ctx: CommandContext, inv: Invocation): Promise<number | void>;
}
