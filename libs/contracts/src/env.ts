// Configuration from environment variables, validated at start: a bad or missing value
// stops the process with a message naming the variable.
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses `env` with an object schema whose keys are variable names. Every problem is
 * reported at once, each line naming its variable.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const picked: Record<string, unknown> = {};
  for (const name of Object.keys(schema.shape)) {
    const v = env[name];
    if (v !== undefined && v !== '') picked[name] = v;
  }
  const r = schema.safeParse(picked);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(config)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** Shared variables: where MySQL and Redis are. */
export const DatabaseEnvSchema = z.object({
  SNAPFLEET_MYSQL_URL: z.string().default('mysql://root@127.0.0.1:3306/snapfleet').describe('metadata database (mysql://user:pass@host:port/db[?socket=/path])'),
  SNAPFLEET_REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://')
    .describe('Redis for queues and locks'),
});
