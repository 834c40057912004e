// Names of the schemas in the document's components: the contracts' schema names, so the
// viewer and generated clients say `SnapshotInfo`, not `statSnapshotResponse`. A schema not
// listed is named after its route and part (e.g. `walkSnapshotsResponse`).
import {
  AcceptedSchema,
  BatchBodySchema,
  BatchResultSchema,
  CleanupResultSchema,
  CommitBodySchema,
  CreateBodySchema,
  CreateResultSchema,
  HostListSchema,
  HostViewSchema,
  InfoResultSchema,
  JobViewSchema,
  MountsResultSchema,
  SnapshotInfoSchema,
  UpdateBodySchema,
  UsageSchema,
  WalkResponseSchema,
} from '@snapfleet/contracts';
import type { z } from 'zod';
import { NamespaceCountsSchema } from '../http/pending-routes';
import { HealthResultSchema } from './health.schema';
import { OpenApiDocumentSchema } from './operational-routes';
import { ProblemSchema } from './problem.schema';

export const SCHEMA_NAMES = new Map<z.ZodType, string>([
  [SnapshotInfoSchema, 'SnapshotInfo'],
  [CreateBodySchema, 'CreateBody'],
  [CommitBodySchema, 'CommitBody'],
  [UpdateBodySchema, 'UpdateBody'],
  [CreateResultSchema, 'CreateResult'],
  [InfoResultSchema, 'InfoResult'],
  [MountsResultSchema, 'MountsResult'],
  [UsageSchema, 'Usage'],
  [WalkResponseSchema, 'WalkResponse'],
  [CleanupResultSchema, 'CleanupResult'],
  [BatchBodySchema, 'BatchBody'],
  [BatchResultSchema, 'BatchResult'],
  [HostListSchema, 'HostList'],
  [HostViewSchema, 'HostView'],
  [JobViewSchema, 'JobView'],
  [AcceptedSchema, 'Accepted'],
  [NamespaceCountsSchema, 'NamespaceCounts'],
  [ProblemSchema, 'Problem'],
  [HealthResultSchema, 'HealthResult'],
  [OpenApiDocumentSchema, 'OpenApiDocument'],
]);
