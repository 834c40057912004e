// Waiting for a job the host runs, the same way for every command: a progress indicator fed
// by the job's state and progress, the --timeout budget, and Ctrl-C leaving the job running.
import type { JobView } from '@snapfleet/contracts';
import type { CommandContext } from './context';
import { untilInterrupted } from './interrupt';

export interface JobWaitOptions {
  jobTimeoutMs?: number;
  onProgress: (job: JobView) => void;
  signal: AbortSignal;
}

/** Runs `wait` (which polls the job) under a progress indicator labelled with the job. */
export async function withJobProgress<T>(ctx: CommandContext, host: string, label: string, wait: (opts: JobWaitOptions) => Promise<T>): Promise<T> {
  const progress = ctx.progress(label);
  try {
    return await untilInterrupted(`stopped waiting; the job keeps running on host ${host} (${label})`, (signal) =>
      wait({ ...(ctx.jobTimeoutMs === undefined ? {} : { jobTimeoutMs: ctx.jobTimeoutMs }), onProgress: (j) => progress.update(j), signal }),
    );
  } finally {
    progress.done();
  }
}

/** How to resume waiting for a job, for hints. */
export function resumeHint(job: Pick<JobView, 'host' | 'id'>): string {
  return `snapctl jobs wait --host ${job.host} ${job.id}`;
}
