// Hosts: the fleet with its health, one host, its namespaces, cleanup of a host's orphan
// subvolumes, and its consistency check.
import { Controller, Get, Inject, Post, Res } from '@nestjs/common';
import { ROUTES, type CleanupResult, type FsckReport, type HostView } from '@snapfleet/contracts';
import type { FastifyReply } from 'fastify';
import { sendJobOutcome } from '../http/job-reply';
import { PENDING_ROUTES, type NamespaceCounts } from '../http/pending-routes';
import { HostParam, JobOptionsParam, type JobRouteOptions } from '../http/request-params';
import { nestPath } from '../http/route-table';
import { HostService } from '../services/host.service';
import { SnapshotService } from '../services/snapshot.service';

@Controller()
export class HostController {
  constructor(
    @Inject(HostService) private readonly hosts: HostService,
    @Inject(SnapshotService) private readonly snapshots: SnapshotService,
  ) {}

  @Get(nestPath(ROUTES.listHosts))
  async list(): Promise<{ hosts: HostView[] }> {
    return { hosts: await this.hosts.list() };
  }

  @Get(nestPath(ROUTES.getHost))
  get(@HostParam() host: string): Promise<HostView> {
    return this.hosts.get(host);
  }

  @Get(nestPath(PENDING_ROUTES.listNamespaces))
  namespaces(@HostParam() host: string): Promise<NamespaceCounts> {
    return this.hosts.namespaces(host);
  }

  @Post(nestPath(ROUTES.cleanupHost))
  async cleanup(@HostParam() host: string, @JobOptionsParam() opts: JobRouteOptions, @Res() reply: FastifyReply): Promise<void> {
    sendJobOutcome(reply, host, await this.snapshots.cleanup(host, opts), opts, {
      status: ROUTES.cleanupHost.status,
      body: (r) => r as CleanupResult,
    });
  }

  @Post(nestPath(ROUTES.fsckHost))
  async fsck(@HostParam() host: string, @JobOptionsParam() opts: JobRouteOptions, @Res() reply: FastifyReply): Promise<void> {
    sendJobOutcome(reply, host, await this.snapshots.fsck(host, opts), opts, {
      status: ROUTES.fsckHost.status,
      body: (r) => r as FsckReport,
    });
  }
}
