// Answers a job route: the op's result with the route's success status, its typed error as
// a problem, or 202 with where to find the job when it has not finished yet.
import { ROUTES, routePath } from '@snapfleet/contracts';
import type { FastifyReply } from 'fastify';
import type { JobOutcome } from '../services/job.service';
import type { JobRouteOptions } from './request-params';

export const JOB_ID_HEADER = 'x-job-id';

export interface SuccessShape {
  status: number;
  /** The response body made from the op's result; none for 204. */
  body?: (result: unknown) => unknown;
}

export function sendJobOutcome(
  reply: FastifyReply,
  host: string,
  outcome: JobOutcome,
  opts: JobRouteOptions,
  success: SuccessShape,
): FastifyReply {
  reply.header(JOB_ID_HEADER, outcome.jobId);
  switch (outcome.kind) {
    case 'completed':
      return success.body ? reply.code(success.status).send(success.body(outcome.result)) : reply.code(success.status).send();
    case 'failed':
      // The exception filter answers it, with the x-job-id header already set.
      throw outcome.error;
    case 'pending':
      if (opts.respondAsync) reply.header('preference-applied', 'respond-async');
      return reply
        .code(202)
        .header('location', routePath(ROUTES.getJob.path, { host, jobId: outcome.jobId }))
        .send({ job: outcome.job });
  }
}
