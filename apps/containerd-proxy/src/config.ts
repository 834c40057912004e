// The proxy's configuration: environment variables validated once at start. A bad or missing
// value stops the process (exit 1) with a ConfigError whose lines name the variables.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { DEFAULT_NAMESPACE, HOST_ID_RE, NamespaceSchema, parseEnv } from '@snapfleet/contracts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `is required (${what})` : `must be a string (${what})`),
});

export const ProxyEnvSchema = z.object({
  SNAPFLEET_PROXY_SOCKET: z
    .string(required('the unix socket containerd dials, e.g. /run/snapfleet/proxy.sock'))
    .refine(isAbsolute, 'must be an absolute path')
    // sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
    .refine((p) => Buffer.byteLength(p) <= 107, 'must be at most 107 bytes (unix socket path limit)')
    .describe('unix socket of the gRPC server'),
  SNAPFLEET_HOST_ID: z
    .string(required('the id of the host this proxy and its containerd run on'))
    .regex(HOST_ID_RE, 'must match [a-z0-9][a-z0-9-]{0,62}')
    .describe('host whose pool the snapshots live on'),
  SNAPFLEET_API_URL: z
    .string(required('the snapfleet API, e.g. http://10.0.0.5:8080'))
    .refine((v) => /^https?:\/\/[^/]/.test(v) && URL.canParse(v), 'must be an http:// or https:// URL')
    .describe('snapfleet API root'),
  SNAPFLEET_API_TOKEN: z.string().optional().describe('bearer token for the API'),
  SNAPFLEET_PROXY_NAMESPACE: NamespaceSchema.default(DEFAULT_NAMESPACE).describe(
    'fleet namespace of calls without a containerd-namespace header (all of a containerd\'s own calls)',
  ),
  SNAPFLEET_PROXY_JOB_TIMEOUT_MS: z.coerce
    .number({ error: 'must be an integer from 1000 to 3600000' })
    .int('must be an integer from 1000 to 3600000')
    .min(1000, 'must be at least 1000')
    .max(3_600_000, 'must be at most 3600000')
    .default(600_000)
    .describe('longest a call waits for its fleet job'),
  SNAPFLEET_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
});

export interface ProxyConfig {
  socket: string;
  hostId: string;
  apiUrl: string;
  apiToken?: string;
  /** Namespace of calls that carry no containerd-namespace header. */
  defaultNamespace: string;
  jobTimeoutMs: number;
  logLevel: LogLevel;
}

export function loadProxyConfig(env: NodeJS.ProcessEnv = process.env): ProxyConfig {
  const e = parseEnv(ProxyEnvSchema, env);
  return {
    socket: e.SNAPFLEET_PROXY_SOCKET,
    hostId: e.SNAPFLEET_HOST_ID,
    apiUrl: e.SNAPFLEET_API_URL,
    ...(e.SNAPFLEET_API_TOKEN === undefined ? {} : { apiToken: e.SNAPFLEET_API_TOKEN }),
    defaultNamespace: e.SNAPFLEET_PROXY_NAMESPACE,
    jobTimeoutMs: e.SNAPFLEET_PROXY_JOB_TIMEOUT_MS,
    logLevel: e.SNAPFLEET_LOG_LEVEL,
  };
}
