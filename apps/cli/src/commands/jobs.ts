// `jobs get JOB` and `jobs wait JOB`: a job by id (with --host) or by the Location --async
// printed. `wait` polls until the job finishes, with a progress indicator; a failed job exits
// with its error's status, so `snapctl jobs wait` composes in scripts like the op itself.
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { parseJobRef, type JobRef } from '../job-ref';
import { withJobProgress } from '../job-wait';
import { printable } from '../output/printable';
import { renderJob } from '../output/views';

function resolve(ctx: CommandContext, inv: Invocation): { host: string; jobId: string } {
  const ref: JobRef = parseJobRef(inv.args[0]!, inv.command.name);
  return { host: ref.host ?? ctx.host(), jobId: ref.jobId };
}

export async function getJob(ctx: CommandContext, inv: Invocation): Promise<void> {
  const { host, jobId } = resolve(ctx, inv);
  const job = await ctx.client.getJob(host, jobId);
  if (ctx.json) ctx.printJson(job);
  else ctx.print(renderJob(job));
}

export async function waitJob(ctx: CommandContext, inv: Invocation): Promise<void> {
  const { host, jobId } = resolve(ctx, inv);
  const job = await withJobProgress(ctx, host, `job ${printable(jobId)}`, (w) =>
    ctx.client.waitForJob(host, jobId, { ...(w.jobTimeoutMs === undefined ? {} : { timeoutMs: w.jobTimeoutMs }), onProgress: w.onProgress, signal: w.signal }),
  );
  if (ctx.json) ctx.printJson(job);
  else ctx.print(renderJob(job));
}
