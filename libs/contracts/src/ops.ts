// Every mutating operation's payload and result: the job data on the host queues, the HTTP
// bodies and the snapshotter's method arguments are all these shapes.
import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { KeySchema, NamespaceSchema } from './identifiers';
import { LabelsSchema } from './labels';
import { MountSchema, SnapshotInfoSchema, UsageSchema } from './snapshot';

export const OP_NAMES = ['prepare', 'view', 'commit', 'remove', 'update', 'usage', 'cleanup', 'fsck', 'batch', 'group'] as const;
export const OpNameSchema = z.enum(OP_NAMES);
export type OpName = z.infer<typeof OpNameSchema>;

export const FIELDPATH_RE = /^labels(\..+)?$/s;

export const CreatePayloadSchema = z.object({
  namespace: NamespaceSchema,
  key: KeySchema,
  parent: KeySchema.optional(),
  labels: LabelsSchema.optional(),
});
export type CreatePayload = z.infer<typeof CreatePayloadSchema>;

export const CommitPayloadSchema = z.object({
  namespace: NamespaceSchema,
  name: KeySchema,
  key: KeySchema,
  labels: LabelsSchema.optional(),
});
export type CommitPayload = z.infer<typeof CommitPayloadSchema>;

export const KeyPayloadSchema = z.object({ namespace: NamespaceSchema, key: KeySchema });
export type KeyPayload = z.infer<typeof KeyPayloadSchema>;

export const UpdatePayloadSchema = z.object({
  namespace: NamespaceSchema,
  key: KeySchema,
  labels: LabelsSchema.default({}),
  /** containerd field paths: `labels` or `labels.<key>`; empty means "replace labels". */
  fieldpaths: z.array(z.string().max(8192)).max(512).optional(),
});
export type UpdatePayload = z.input<typeof UpdatePayloadSchema>;

export const CleanupPayloadSchema = z.object({}).strict();
export type CleanupPayload = z.infer<typeof CleanupPayloadSchema>;

export const FsckPayloadSchema = z.object({}).strict();

export const CreateResultSchema = z.object({
  info: SnapshotInfoSchema,
  mounts: z.array(MountSchema),
  path: z.string(),
});
export type CreateResult = z.infer<typeof CreateResultSchema>;

export const InfoResultSchema = z.object({ info: SnapshotInfoSchema });
export type InfoResult = z.infer<typeof InfoResultSchema>;

export const RemoveResultSchema = z.object({ removed: z.literal(true) });
export type RemoveResult = z.infer<typeof RemoveResultSchema>;

export const CleanupResultSchema = z.object({ removed: z.number().int().nonnegative() });
export type CleanupResult = z.infer<typeof CleanupResultSchema>;

/** One difference between a host's metadata and its disk (or its queue). */
export const FsckIssueSchema = z.object({
  kind: z.enum([
    'missing-subvolume',
    'orphan-subvolume',
    'wrong-readonly-flag',
    'subvolume-id-mismatch',
    'not-a-subvolume',
    'parent-key-mismatch',
    'stuck-job',
    'failed-job',
  ]),
  path: z.string().optional(),
  id: z.number().int().optional(),
  namespace: z.string().optional(),
  key: z.string().optional(),
  jobId: z.string().optional(),
  detail: z.string(),
});
export type FsckIssue = z.infer<typeof FsckIssueSchema>;

export const FsckReportSchema = z.object({
  host: z.string(),
  rows: z.number().int().nonnegative(),
  subvolumes: z.number().int().nonnegative(),
  issues: z.array(FsckIssueSchema),
  checkedAt: z.string(),
});
export type FsckReport = z.infer<typeof FsckReportSchema>;

/** A typed error as it travels in a job's outcome: a failed job's, or a batch step's. */
export const OpErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type OpError = z.infer<typeof OpErrorSchema>;

/** Most steps one batch may carry: its keys are leased together for the whole batch. */
export const MAX_BATCH_STEPS = 100;

/**
 * One step of a batch: a mutation of one snapshot in the batch's namespace, given as its
 * op's payload without the namespace (the batch's applies to every step).
 */
const NO_NAMESPACE = { namespace: true } as const;
export const BatchStepSchema = z.discriminatedUnion('op', [
  CreatePayloadSchema.omit(NO_NAMESPACE).extend({ op: z.literal('prepare') }).strict(),
  CreatePayloadSchema.omit(NO_NAMESPACE).extend({ op: z.literal('view') }).strict(),
  CommitPayloadSchema.omit(NO_NAMESPACE).extend({ op: z.literal('commit') }).strict(),
  KeyPayloadSchema.omit(NO_NAMESPACE).extend({ op: z.literal('remove') }).strict(),
  UpdatePayloadSchema.omit(NO_NAMESPACE).extend({ op: z.literal('update') }).strict(),
]);
export type BatchStep = z.input<typeof BatchStepSchema>;

export const BatchStepsSchema = z
  .array(BatchStepSchema)
  .min(1)
  .max(MAX_BATCH_STEPS)
  .describe(`1-${MAX_BATCH_STEPS} steps, run in order; the first that fails ends the batch`);

export const BatchPayloadSchema = z.object({ namespace: NamespaceSchema, steps: BatchStepsSchema });
export type BatchPayload = z.infer<typeof BatchPayloadSchema>;

/** A step's result: the result its op's own job would have (prepare/view, commit/update, remove). */
export const BatchStepResultSchema = z.union([CreateResultSchema, InfoResultSchema, RemoveResultSchema]);

export const BatchResultSchema = z.object({
  results: z.array(BatchStepResultSchema).describe('results of the steps that ran, in order'),
  failed: z
    .object({ step: z.number().int().nonnegative(), error: OpErrorSchema })
    .optional()
    .describe('the step that failed (its index) and why; the steps after it did not run'),
});
export type BatchResult = z.infer<typeof BatchResultSchema>;

/**
 * Concurrent single-op requests the API carries in one job when the host already has jobs of
 * its in flight (decisions.md, "Op groups"). Unlike a batch, the steps are independent: each
 * has its own outcome, and steps that share no key run at the same time. Not a route: the API
 * makes these jobs, and each request still answers for its own op alone.
 */
export const GroupPayloadSchema = z.object({
  namespace: NamespaceSchema,
  steps: z.array(BatchStepSchema).min(1).max(MAX_BATCH_STEPS),
  /** Request id of each step's HTTP request, for the worker's logs. */
  requestIds: z.array(z.string().max(200)).max(MAX_BATCH_STEPS).optional(),
});
export type GroupPayload = z.infer<typeof GroupPayloadSchema>;

export const GroupStepOutcomeSchema = z.union([
  z.object({ result: BatchStepResultSchema }).strict(),
  z.object({ error: OpErrorSchema }).strict(),
]);
export type GroupStepOutcome = z.infer<typeof GroupStepOutcomeSchema>;

export const GroupResultSchema = z.object({ outcomes: z.array(GroupStepOutcomeSchema) });
export type GroupResult = z.infer<typeof GroupResultSchema>;

/**
 * The job id a request carried in a group answers with (its 202 Location): the group's id and
 * the step's index. `.` never occurs in a server-made job id, and keyed ids are never grouped.
 */
export const groupStepJobId = (groupJobId: string, step: number): string => `${groupJobId}.${step}`;

const GROUP_STEP_JOB_ID_RE = /^(op-[0-9a-f-]{36})\.(\d{1,3})$/;

/** The group's job id and the step's index of a step's job id, or undefined for any other id. */
export function parseGroupStepJobId(jobId: string): { groupJobId: string; step: number } | undefined {
  const m = GROUP_STEP_JOB_ID_RE.exec(jobId);
  if (!m) return undefined;
  const step = Number(m[2]);
  return step < MAX_BATCH_STEPS ? { groupJobId: m[1]!, step } : undefined;
}

/** The op-log id of one step of a batch or group: `#` never occurs in a job id, so none collides. */
export const batchStepOpId = (batchOpId: string, step: number): string => `${batchOpId}#${step}`;

/** Payload and result schema of each op, keyed by job name. */
export const OPS = {
  prepare: { payload: CreatePayloadSchema, result: CreateResultSchema },
  view: { payload: CreatePayloadSchema, result: CreateResultSchema },
  commit: { payload: CommitPayloadSchema, result: InfoResultSchema },
  remove: { payload: KeyPayloadSchema, result: RemoveResultSchema },
  update: { payload: UpdatePayloadSchema, result: InfoResultSchema },
  usage: { payload: KeyPayloadSchema, result: UsageSchema },
  cleanup: { payload: CleanupPayloadSchema, result: CleanupResultSchema },
  fsck: { payload: FsckPayloadSchema, result: FsckReportSchema },
  batch: { payload: BatchPayloadSchema, result: BatchResultSchema },
  group: { payload: GroupPayloadSchema, result: GroupResultSchema },
} as const satisfies Record<OpName, { payload: z.ZodType; result: z.ZodType }>;

export type OpPayload<N extends OpName> = z.input<(typeof OPS)[N]['payload']>;
export type OpResult<N extends OpName> = z.infer<(typeof OPS)[N]['result']>;

/** Facts about one execution of an op that are not part of its payload. */
export interface OpContext {
  /** Idempotency id (the job id): a retry with the same id returns the first result. */
  opId?: string;
  /**
   * The caller knows no earlier run of `opId` can have taken effect (a server-made job id on
   * its first start), so the op-log lookup before the op is skipped. Unsure callers omit it.
   */
  firstRun?: boolean;
  /** Fencing token of the lock the caller holds, checked on every metadata write. */
  fence?: bigint;
  /**
   * The caller took care of registering `fence` for the op's keys: it registered it already,
   * or its lock says no earlier holder of those keys can still write (the worker, see
   * decisions.md "Fencing tokens are registered only when needed"). The op then only guards
   * its commit with the token.
   */
  fenceRegistered?: boolean;
  /** Reports progress (0–100) of long operations. */
  progress?: (percent: number) => void;
  /**
   * Told the duration (ms) of each btrfs call on the op's own path (not the background
   * deletes that follow it), so a caller can say where an op's time went.
   */
  btrfsTime?: (ms: number) => void;
}

