// The API's configuration, read once from the environment at start. A bad value stops the
// process before anything connects, with a message naming the variable.
import { ConfigError, DatabaseEnvSchema, parseEnv } from '@snapfleet/contracts';
import { parseMysqlUrl } from '@snapfleet/metastore';
import { z } from 'zod';

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
});

/** Parsed configuration; the class doubles as its Nest injection token. */
export class ApiConfig {
  constructor(
    readonly port: number,
    readonly bindAddress: string,
    readonly mysqlUrl: string,
    readonly redisUrl: string,
    readonly hostTimeoutMs: number,
    readonly logLevel: (typeof LOG_LEVELS)[number],
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
