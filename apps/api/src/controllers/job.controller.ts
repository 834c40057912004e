// Jobs: where a 202 points to. State, result or typed error of one job, for callers that
// may read the job's namespace (host-wide jobs: admins).
import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ROUTES, type JobView } from '@snapfleet/contracts';
import { z } from 'zod';
import { mayAccess, type Principal } from '../auth/principal';
import { HostParam, PrincipalParam, Validate } from '../http/request-params';
import { nestPath } from '../http/route-table';
import { JobService } from '../services/job.service';

/** BullMQ ids are free-form; ours are `op-<uuid>` or `idem-<key>` (≤ 133 characters). */
export const JobIdSchema = z.string().min(1).max(256);

@Controller()
export class JobController {
  constructor(@Inject(JobService) private readonly jobs: JobService) {}

  @Get(nestPath(ROUTES.getJob))
  get(
    @HostParam() host: string,
    @Param('jobId', new Validate(JobIdSchema, 'job id')) jobId: string,
    @PrincipalParam() principal: Principal,
  ): Promise<JobView> {
    return this.jobs.view(host, jobId, (ns) => mayAccess(principal, ns === undefined ? 'admin' : 'read', ns));
  }
}
