// The API's configuration, read once from the environment at start. A bad value stops the
// process before anything connects, with a message naming the variable.
import { ConfigError, DatabaseEnvSchema, parseEnv } from '@snapfleet/contracts';
import { parseMysqlUrl } from '@snapfleet/metastore';
import { z } from 'zod';
import type { ReadCacheLimits } from '../services/read-cache';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ApiEnvSchema = DatabaseEnvSchema.extend({
  SNAPFLEET_PORT: z.coerce.number().int().min(0).max(65535).default(8080).describe('HTTP port'),
  SNAPFLEET_BIND: z.string().min(1).default('0.0.0.0').describe('HTTP bind address'),
  SNAPFLEET_HOST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(24 * 3600 * 1000)
    .default(10_000)
    .describe('heartbeat age after which a host counts as down'),
  SNAPFLEET_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SNAPFLEET_AUTH: z.enum(['on', 'off']).default('on').describe('bearer-token auth; off only for local experiments'),
  SNAPFLEET_ADMIN_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{24,512}$/, 'must be 24 to 512 visible ASCII characters (e.g. openssl rand -hex 32)')
    .optional()
    .describe('bootstrap admin token (all scopes, all namespaces)'),
  SNAPFLEET_RATE_LIMIT: z.coerce.number().min(0).max(1e6).default(1000).describe('requests per second per token and API process; 0 = no limit'),
  SNAPFLEET_RATE_BURST: z.coerce.number().int().min(1).max(1e7).optional().describe('bucket size of the rate limit (default: 2 × SNAPFLEET_RATE_LIMIT)'),
  SNAPFLEET_GROUP_SLOTS: z.coerce
    .number()
    .int()
    .min(0)
    .max(1024)
    .default(1)
    .describe('jobs of single ops this API process keeps in flight per host before further concurrent ops share jobs; 0 = never share'),
  SNAPFLEET_WALK_CACHE_PAGES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(1024)
    .describe('walk pages this API process keeps while no job of their host has moved, and as many stats, in a cache of their own; 0 = off (both)'),
  SNAPFLEET_WALK_CACHE_MB: z.coerce.number().int().min(1).max(65536).default(64).describe('memory bound of the walk page cache, in MiB of page text (the stat cache has the same bound)'),
});

/** How long a kept walk page may be served at most, whatever its host's event stream says. */
export const WALK_CACHE_TTL_MS = 1_000;

/** Who may do what: bearer tokens, the bootstrap admin token, and the per-token rate limit. */
export interface AuthConfig {
  enabled: boolean;
  adminToken?: string;
  /** Requests per second per token; 0 = unlimited. */
  ratePerSecond: number;
  burst: number;
}

/** Parsed configuration; the class doubles as its Nest injection token. */
export class ApiConfig {
  constructor(
    readonly port: number,
    readonly bindAddress: string,
    readonly mysqlUrl: string,
    readonly redisUrl: string,
    readonly hostTimeoutMs: number,
    readonly logLevel: (typeof LOG_LEVELS)[number],
    readonly auth: AuthConfig,
    /** See SNAPFLEET_GROUP_SLOTS and OpGrouper. */
    readonly groupSlots: number,
    /** See SNAPFLEET_WALK_CACHE_* and ReadCache. */
    readonly walkCache: ReadCacheLimits,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
    const e = parseEnv(ApiEnvSchema, env);
    try {
      // parseMysqlUrl's messages already name SNAPFLEET_MYSQL_URL.
      parseMysqlUrl(e.SNAPFLEET_MYSQL_URL);
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  ${err instanceof Error ? err.message : String(err)}`);
    }
    return new ApiConfig(
      e.SNAPFLEET_PORT,
      e.SNAPFLEET_BIND,
      e.SNAPFLEET_MYSQL_URL,
      e.SNAPFLEET_REDIS_URL,
      e.SNAPFLEET_HOST_TIMEOUT_MS,
      e.SNAPFLEET_LOG_LEVEL,
      {
        enabled: e.SNAPFLEET_AUTH === 'on',
        ...(e.SNAPFLEET_ADMIN_TOKEN === undefined ? {} : { adminToken: e.SNAPFLEET_ADMIN_TOKEN }),
        ratePerSecond: e.SNAPFLEET_RATE_LIMIT,
        burst: e.SNAPFLEET_RATE_BURST ?? Math.max(1, Math.ceil(2 * e.SNAPFLEET_RATE_LIMIT)),
      },
      e.SNAPFLEET_GROUP_SLOTS,
      { maxPages: e.SNAPFLEET_WALK_CACHE_PAGES, maxBytes: e.SNAPFLEET_WALK_CACHE_MB * 1024 * 1024, ttlMs: WALK_CACHE_TTL_MS },
    );
  }
}

/** A URL fit for logs and error messages: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}
