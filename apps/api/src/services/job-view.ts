// How a BullMQ job looks through the API (contracts' JobView): its op, state, result or
// typed error, attempts and times.
import { decodeJobError, SnapfleetError, type GroupStepOutcome, type JobState, type JobView, type OpName } from '@snapfleet/contracts';
import type { SnapfleetJob } from '../repositories/job-queue.repository';

export function toJobView(host: string, job: SnapfleetJob, state: JobState): JobView {
  const view: JobView = {
    id: job.id ?? '',
    host,
    op: job.name,
    state,
    attempts: job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
  };
  if (state === 'completed') view.result = job.returnvalue;
  if (state === 'failed') view.error = decodeJobError(job.failedReason).toJSON();
  if (typeof job.progress === 'number' && job.progress >= 0 && job.progress <= 100) view.progress = job.progress;
  // A job back in the queue (stalled, or waiting out a retry's backoff) shows no start until it starts again.
  if (job.processedOn !== undefined && (state === 'active' || state === 'completed' || state === 'failed')) {
    view.startedAt = new Date(job.processedOn).toISOString();
  }
  if (job.finishedOn !== undefined && (state === 'completed' || state === 'failed')) {
    view.finishedAt = new Date(job.finishedOn).toISOString();
  }
  return view;
}

/** A job BullMQ no longer holds, rebuilt from the result its op recorded in MySQL. */
export function recordedJobView(host: string, jobId: string, op: OpName, result: unknown, at: Date): JobView {
  const time = at.toISOString();
  return { id: jobId, host, op, state: 'completed', result, attempts: 1, createdAt: time, startedAt: time, finishedAt: time };
}

/** One step's outcome in a group job's return value (the worker checked its shape). */
export function groupStepOutcome(returnvalue: unknown, step: number): GroupStepOutcome {
  const outcomes = (returnvalue as { outcomes?: unknown } | null | undefined)?.outcomes;
  const outcome: unknown = Array.isArray(outcomes) ? outcomes[step] : undefined;
  if (outcome && typeof outcome === 'object' && ('result' in outcome || 'error' in outcome)) return outcome as GroupStepOutcome;
  throw new SnapfleetError('internal', `group job result has no outcome for step ${step}`);
}

/**
 * How one op carried in a group looks through the API: the group job's state and times under
 * the step's own id and op, and the step's own result or error once the group finished.
 */
export function groupStepView(group: JobView, stepJobId: string, op: OpName, step: number): JobView {
  const { progress: _group, result, error: _error, ...rest } = group;
  const view: JobView = { ...rest, id: stepJobId, op };
  if (group.state === 'completed') {
    const outcome = groupStepOutcome(result, step);
    if ('result' in outcome) view.result = outcome.result;
    else return { ...view, state: 'failed', error: outcome.error };
  }
  if (group.state === 'failed' && group.error !== undefined) view.error = group.error;
  return view;
}
