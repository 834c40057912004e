// `rm KEY…`: removes each key in turn. A failure does not stop the others (the user named
// them all); it is reported on stderr and its exit status is the command's, the first one's
// when several fail. Like `ctr snapshots rm`, a successful removal prints nothing.
import { SnapfleetError, type JobView } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import { EXIT_CODES, EXIT_OK } from '../exit-codes';
import type { Invocation } from '../invocation';
import { printAccepted, runMutation } from '../mutation';
import { formatError } from '../report-error';
import { UsageError } from '../usage-error';

type Outcome = { key: string; removed: true } | { key: string; job: JobView; location: string };

export async function remove(ctx: CommandContext, inv: Invocation): Promise<number> {
  if (inv.args.length > 1 && inv.string('idempotency-key') !== undefined) {
    throw new UsageError('--idempotency-key names one job: remove one key at a time with it', inv.command.name);
  }
  const host = ctx.host();
  const outcomes: Outcome[] = [];
  let status = EXIT_OK;
  for (const key of inv.args) {
    try {
      const r = await runMutation(ctx, inv, 'removeSnapshot', (opts) => ctx.client.removeSnapshot(ctx.namespace, host, key, opts));
      if (r.done) outcomes.push({ key, removed: true });
      else {
        outcomes.push({ key, job: r.job, location: r.location });
        if (!ctx.json) printAccepted(ctx, r);
      }
    } catch (err) {
      // Only the API's typed errors are per-key; anything else (a usage error, a bug) stops here.
      if (!(err instanceof SnapfleetError)) throw err;
      ctx.note(formatError(err, ctx.json));
      if (status === EXIT_OK) status = EXIT_CODES[err.code];
    }
  }
  if (ctx.json) ctx.printJson(outcomes);
  return status;
}
