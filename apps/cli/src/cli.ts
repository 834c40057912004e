// snapctl as a function: argv and streams in, exit status out. main.ts wires it to the
// process; tests can call it in-process. Every failure ends here and becomes one message on
// stderr and the exit status of exit-codes.ts.
import { SnapfleetError } from '@snapfleet/contracts';
import { findCommand } from './command-table';
import { createContext, type Io } from './context';
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, exitCodeFor } from './exit-codes';
import { commandHelp, globalHelp } from './help';
import { Interrupted } from './interrupt';
import { parseArgv } from './parse-argv';
import { formatError, formatUsageError } from './report-error';
import { UsageError } from './usage-error';

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  // --json changes how errors look even when the command line does not parse.
  const json = argv.includes('--json');
  try {
    const parsed = parseArgv(argv);
    if (parsed.kind === 'help') {
      io.stdout.write(parsed.command ? commandHelp(parsed.command) : globalHelp());
      return EXIT_OK;
    }
    const { invocation } = parsed;
    const ctx = createContext(invocation, io);
    return (await invocation.command.run(ctx, invocation)) ?? EXIT_OK;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${formatUsageError(err.message, json)}\n`);
      if (!json) {
        const cmd = err.command === undefined ? undefined : findCommand(err.command);
        io.stderr.write(`\n${cmd ? commandHelp(cmd) : globalHelp()}`);
      }
      return EXIT_USAGE;
    }
    if (err instanceof Interrupted) {
      io.stderr.write(`\nsnapctl: ${err.message}\n`);
      return EXIT_INTERRUPTED;
    }
    const typed = err instanceof SnapfleetError ? err : new SnapfleetError('internal', err instanceof Error ? (err.stack ?? err.message) : String(err));
    io.stderr.write(`${formatError(typed, json)}\n`);
    return exitCodeFor(typed);
  }
}
