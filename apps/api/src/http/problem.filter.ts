// The one exception filter: every error leaves as application/problem+json.
import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE } from '@snapfleet/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { JOB_ID_HEADER } from './job-reply';
import { problemFor } from './problems';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(PinoLogger) private readonly log: PinoLogger) {
    log.setContext(ProblemFilter.name);
  }

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers, unexpected } = problemFor(err, {
      method: request.method,
      url: request.url,
      requestId: typeof request.id === 'string' ? request.id : undefined,
    });
    if (unexpected) this.log.error({ err }, 'request failed unexpectedly');
    if (reply.sent) return;
    if (headers) reply.headers(headers);
    // A job route that failed after enqueueing still says which job it made.
    if (typeof problem.jobId === 'string') reply.header(JOB_ID_HEADER, problem.jobId);
    void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
