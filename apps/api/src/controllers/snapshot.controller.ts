// Snapshot routes of one (host, namespace). Reads return their body; job routes answer
// through sendJobOutcome, which picks the status (result, problem, or 202).
import { Body, Controller, Delete, Get, Inject, Patch, Post, Query, Res } from '@nestjs/common';
import {
  BatchBodySchema,
  CommitBodySchema,
  CreateBodySchema,
  ROUTES,
  UpdateBodySchema,
  WalkQuerySchema,
  type InfoResult,
  type MountsResult,
} from '@snapfleet/contracts';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { sendJobOutcome } from '../http/job-reply';
import { JobOptionsParam, KeyParam, ScopeParam, Validate, type JobRouteOptions } from '../http/request-params';
import { nestPath } from '../http/route-table';
import { SnapshotService, type SnapshotScope } from '../services/snapshot.service';

const asIs = (result: unknown) => result;

@Controller()
export class SnapshotController {
  constructor(@Inject(SnapshotService) private readonly snapshots: SnapshotService) {}

  @Post(nestPath(ROUTES.createSnapshot))
  async create(
    @ScopeParam() scope: SnapshotScope,
    @Body(new Validate(CreateBodySchema, 'body')) body: z.infer<typeof CreateBodySchema>,
    @JobOptionsParam() opts: JobRouteOptions,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendJobOutcome(reply, scope.host, await this.snapshots.create(scope, body, opts), opts, { status: ROUTES.createSnapshot.status, body: asIs });
  }

  @Post(nestPath(ROUTES.commitSnapshot))
  async commit(
    @ScopeParam() scope: SnapshotScope,
    @KeyParam() key: string,
    @Body(new Validate(CommitBodySchema, 'body')) body: z.infer<typeof CommitBodySchema>,
    @JobOptionsParam() opts: JobRouteOptions,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendJobOutcome(reply, scope.host, await this.snapshots.commit(scope, key, body, opts), opts, { status: ROUTES.commitSnapshot.status, body: asIs });
  }

  @Get(nestPath(ROUTES.statSnapshot))
  async stat(@ScopeParam() scope: SnapshotScope, @KeyParam() key: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    // SnapshotInfo already in JSON, as JSON.stringify gives it (the same bytes, so the same
    // ETag, with the cache on or off).
    return sendJsonText(reply, await this.snapshots.statJson(scope, key));
  }

  @Patch(nestPath(ROUTES.updateSnapshot))
  async update(
    @ScopeParam() scope: SnapshotScope,
    @KeyParam() key: string,
    @Body(new Validate(UpdateBodySchema, 'body')) body: z.infer<typeof UpdateBodySchema>,
    @JobOptionsParam() opts: JobRouteOptions,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // The op answers {info}; this route answers the info itself.
    sendJobOutcome(reply, scope.host, await this.snapshots.update(scope, key, body, opts), opts, {
      status: ROUTES.updateSnapshot.status,
      body: (r) => (r as InfoResult).info,
    });
  }

  @Get(nestPath(ROUTES.snapshotMounts))
  mounts(@ScopeParam() scope: SnapshotScope, @KeyParam() key: string): Promise<MountsResult> {
    return this.snapshots.mounts(scope, key);
  }

  @Get(nestPath(ROUTES.snapshotUsage))
  async usage(
    @ScopeParam() scope: SnapshotScope,
    @KeyParam() key: string,
    @JobOptionsParam() opts: JobRouteOptions,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.snapshots.usage(scope, key, opts);
    if ('usage' in answer) reply.code(ROUTES.snapshotUsage.status).send(answer.usage);
    else sendJobOutcome(reply, scope.host, answer.job, opts, { status: ROUTES.snapshotUsage.status, body: asIs });
  }

  @Delete(nestPath(ROUTES.removeSnapshot))
  async remove(
    @ScopeParam() scope: SnapshotScope,
    @KeyParam() key: string,
    @JobOptionsParam() opts: JobRouteOptions,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendJobOutcome(reply, scope.host, await this.snapshots.remove(scope, key, opts), opts, { status: ROUTES.removeSnapshot.status });
  }

  @Post(nestPath(ROUTES.runBatch))
  async batch(
    @ScopeParam() scope: SnapshotScope,
    @Body(new Validate(BatchBodySchema, 'body')) body: z.infer<typeof BatchBodySchema>,
    @JobOptionsParam() opts: JobRouteOptions,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    sendJobOutcome(reply, scope.host, await this.snapshots.batch(scope, body, opts), opts, { status: ROUTES.runBatch.status, body: asIs });
  }

  @Get(nestPath(ROUTES.walkSnapshots))
  async walk(
    @ScopeParam() scope: SnapshotScope,
    @Query(new Validate(WalkQuerySchema, 'query')) query: z.infer<typeof WalkQuerySchema>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    return sendJsonText(reply, await this.snapshots.walkJson(scope, query));
  }
}

/**
 * An answer already in JSON: Fastify sends a string with a JSON type as it is. Its entity tag
 * is known when it came from a read cache; otherwise conditional-get.ts hashes it.
 */
function sendJsonText(reply: FastifyReply, answer: { json: string; etag?: string }): string {
  void reply.type('application/json; charset=utf-8');
  if (answer.etag !== undefined) void reply.header('etag', answer.etag);
  return answer.json;
}
