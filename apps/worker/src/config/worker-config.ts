// The worker's configuration: environment variables validated once at start. A bad or
// missing value stops the process with a ConfigError whose lines name the variables.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { DatabaseEnvSchema, HOST_ID_RE, parseEnv } from '@snapfleet/contracts';
import { parseFaultSpecs, type FaultSpec } from '@snapfleet/snapshotter';

/** The port OpenTelemetry's Prometheus exporters listen on by default: where scrapers look first. */
export const DEFAULT_WORKER_HTTP_PORT = 9464;

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `is required (${what})` : `must be a string (${what})`),
});

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const WorkerEnvSchema = DatabaseEnvSchema.extend({
  SNAPFLEET_HOST_ID: z
    .string(required('this host\'s id, e.g. "b7"'))
    .regex(HOST_ID_RE, 'must match [a-z0-9][a-z0-9-]{0,62}')
    .describe('id of the host whose queue this worker consumes'),
  SNAPFLEET_ROOT: z
    .string(required('a directory on the host\'s btrfs pool'))
    .refine(isAbsolute, 'must be an absolute path')
    .describe('host root: a directory on the btrfs pool'),
  SNAPFLEET_WORKER_CONCURRENCY: integer(1, 256).default(8).describe('jobs run in parallel by this process'),
  SNAPFLEET_HEARTBEAT_MS: integer(100, 60_000).default(2000).describe('host_status heartbeat period'),
  SNAPFLEET_CLEANUP_INTERVAL_MS: integer(1000, 7 * 24 * 3600_000).default(600_000).describe('reconciler period'),
  SNAPFLEET_LOCK_TTL_MS: integer(500, 600_000).default(10_000).describe('TTL of the Redis key locks (auto-extended)'),
  SNAPFLEET_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SNAPFLEET_BTRFS_BACKEND: z.enum(['native', 'progs', 'auto']).default('auto').describe('btrfs backend: ioctl addon or btrfs-progs'),
  SNAPFLEET_JOB_LOCK_MS: integer(1000, 600_000).default(30_000).describe('BullMQ job lock: a worker silent this long loses the job'),
  SNAPFLEET_STALLED_INTERVAL_MS: integer(1000, 600_000).default(30_000).describe('how often stalled jobs are looked for and re-queued'),
  SNAPFLEET_MAX_STALLED_COUNT: integer(1, 1000)
    .default(5)
    .describe('times a job may lose its worker (crash, kill) and be re-queued before it fails'),
  SNAPFLEET_WORKER_HTTP_PORT: integer(0, 65535)
    .optional()
    .describe(`port of /healthz, /readyz, /metrics (default ${DEFAULT_WORKER_HTTP_PORT}; 0 = any free port)`),
  SNAPFLEET_WORKER_HTTP_BIND: z.string().min(1, 'must not be empty').default('127.0.0.1').describe('bind address of that listener'),
  SNAPFLEET_FAULTS: z
    .string()
    .optional()
    .refine((v) => v === undefined || tryParseFaults(v), 'must be a JSON array of {point, op, action[, ms, times]}')
    .describe('fault injection for the fault tests (never in production)'),
});

function tryParseFaults(v: string): boolean {
  try {
    parseFaultSpecs(v);
    return true;
  } catch {
    return false;
  }
}

export interface WorkerConfig {
  hostId: string;
  root: string;
  mysqlUrl: string;
  redisUrl: string;
  concurrency: number;
  heartbeatMs: number;
  cleanupIntervalMs: number;
  lockTtlMs: number;
  logLevel: z.infer<typeof WorkerEnvSchema>['SNAPFLEET_LOG_LEVEL'];
  btrfsBackend: 'native' | 'progs' | 'auto';
  jobLockMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /**
   * Port of the health and metrics listener, when the operator chose one (bound, or start-up
   * fails); undefined: DEFAULT_WORKER_HTTP_PORT, or any free port when another process of
   * this machine (a second worker) holds it.
   */
  httpPort: number | undefined;
  httpBind: string;
  faults: FaultSpec[];
}

/** Throws ConfigError naming every bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(WorkerEnvSchema, env);
  return {
    hostId: e.SNAPFLEET_HOST_ID,
    root: e.SNAPFLEET_ROOT,
    mysqlUrl: e.SNAPFLEET_MYSQL_URL,
    redisUrl: e.SNAPFLEET_REDIS_URL,
    concurrency: e.SNAPFLEET_WORKER_CONCURRENCY,
    heartbeatMs: e.SNAPFLEET_HEARTBEAT_MS,
    cleanupIntervalMs: e.SNAPFLEET_CLEANUP_INTERVAL_MS,
    lockTtlMs: e.SNAPFLEET_LOCK_TTL_MS,
    logLevel: e.SNAPFLEET_LOG_LEVEL,
    btrfsBackend: e.SNAPFLEET_BTRFS_BACKEND,
    jobLockMs: e.SNAPFLEET_JOB_LOCK_MS,
    stalledIntervalMs: e.SNAPFLEET_STALLED_INTERVAL_MS,
    maxStalledCount: e.SNAPFLEET_MAX_STALLED_COUNT,
    httpPort: e.SNAPFLEET_WORKER_HTTP_PORT,
    httpBind: e.SNAPFLEET_WORKER_HTTP_BIND,
    faults: e.SNAPFLEET_FAULTS === undefined ? [] : parseFaultSpecs(e.SNAPFLEET_FAULTS),
  };
}
