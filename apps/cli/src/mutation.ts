// Commands that run as jobs on the host's queue (prepare, view, commit, rm, label, cleanup)
// share their flags and their ending: the result, or — with --async, or a job still queued
// when the API's wait ran out and snapctl's own wait too — the job and where to poll it.
import type { AsyncRouteName, CompletionValue, MutationOptions, MutationResult } from '@snapfleet/client';
import { IDEMPOTENCY_KEY_RE, WaitQuerySchema, type JobView } from '@snapfleet/contracts';
import type { CommandContext } from './context';
import type { Invocation } from './invocation';
import { resumeHint, withJobProgress } from './job-wait';
import { renderFields } from './output/table';
import { UsageError } from './usage-error';

export function mutationOptions(inv: Invocation): MutationOptions {
  // Checked by the contract's own `?wait=` schema: its limits are the API's.
  const wait = inv.parsed('wait', WaitQuerySchema.shape.wait);
  const key = inv.string('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY_RE.test(key)) {
    throw new UsageError(`--idempotency-key must match ${IDEMPOTENCY_KEY_RE.source}`, inv.command.name);
  }
  return {
    ...(wait === undefined ? {} : { wait }),
    ...(key === undefined ? {} : { idempotencyKey: key }),
    ...(inv.flag('async') ? { respondAsync: true } : {}),
    ...(inv.flag('queue-always') ? { queue: 'always' as const } : {}),
  };
}

/**
 * Starts the mutation; when it answers 202 without --async, waits for the job with a progress
 * indicator. Returns the value, or the accepted job when the user asked not to wait.
 */
export async function runMutation<N extends AsyncRouteName>(
  ctx: CommandContext,
  inv: Invocation,
  route: N,
  start: (opts: MutationOptions) => Promise<MutationResult<CompletionValue<N>>>,
): Promise<MutationResult<CompletionValue<N>>> {
  const r = await start(mutationOptions(inv));
  if (r.done || inv.flag('async')) return r;
  const { job } = r;
  const value = await withJobProgress(ctx, job.host, `${job.op} job ${job.id}`, (wait) => ctx.client.settle(route, r, wait));
  return { done: true, value };
}

/** What --async prints: the job and its Location (JSON: exactly the 202's `{job}` plus location). */
export function printAccepted(ctx: CommandContext, r: { job: JobView; location: string }): void {
  if (ctx.json) return ctx.printJson({ job: r.job, location: r.location });
  ctx.print(
    renderFields([
      ['job', r.job.id],
      ['host', r.job.host],
      ['op', r.job.op],
      ['state', r.job.state],
      ['location', r.location],
    ]),
  );
  ctx.note(`wait for it with: ${resumeHint(r.job)}`);
}
