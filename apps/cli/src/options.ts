// Every command-line option snapctl knows, in one catalog: how util.parseArgs reads it and the
// help line that documents it. Where the contracts describe the value (zod `.describe()`,
// limits, patterns), the help text is taken from them rather than restated.
import { DEFAULT_JOB_TIMEOUT_MS } from '@snapfleet/client';
import {
  ALL_NAMESPACES,
  CreateTokenBodySchema,
  DEFAULT_NAMESPACE,
  TOKEN_SCOPES,
  DEFAULT_WAIT_SECONDS,
  HostIdSchema,
  IDEMPOTENCY_KEY_RE,
  LabelsSchema,
  MAX_PAGE_SIZE,
  MAX_WAIT_SECONDS,
  NamespaceSchema,
  WalkResponseSchema,
} from '@snapfleet/contracts';
import { schemaDescription } from './describe-schema';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder of the value in help (string options). */
  value?: string;
  about: string;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** Options every command accepts, before or after the command name. */
export const GLOBAL_OPTIONS = {
  'api-url': { type: 'string', value: 'URL', about: `API root URL (env SNAPFLEET_API_URL, default ${DEFAULT_API_URL})` },
  token: { type: 'string', value: 'TOKEN', about: 'bearer token sent as Authorization (env SNAPFLEET_API_TOKEN)' },
  host: { type: 'string', short: 'H', value: 'ID', about: `host to address: ${schemaDescription(HostIdSchema)} (env SNAPFLEET_HOST_ID)` },
  namespace: { type: 'string', short: 'n', value: 'NS', about: `${schemaDescription(NamespaceSchema)} (default "${DEFAULT_NAMESPACE}")` },
  json: { type: 'boolean', about: "print the API's answer as JSON (errors as JSON on stderr)" },
  quiet: { type: 'boolean', short: 'q', about: 'no progress indicator while waiting for a job' },
  help: { type: 'boolean', short: 'h', about: 'show help' },
} as const satisfies Record<string, OptionSpec>;

/** Options that only some commands accept; the command table says which. */
export const COMMAND_OPTIONS = {
  label: { type: 'string', multiple: true, value: 'k=v', about: `label, repeatable. ${schemaDescription(LabelsSchema)}` },
  async: { type: 'boolean', about: 'do not wait: print the job id and its Location, exit 0 (Prefer: respond-async)' },
  wait: {
    type: 'string',
    value: 'SECONDS',
    about: `seconds the API holds the request for the job before answering 202 (0..${MAX_WAIT_SECONDS}, default ${DEFAULT_WAIT_SECONDS}); snapctl then polls the job unless --async`,
  },
  'idempotency-key': {
    type: 'string',
    value: 'K',
    about: `Idempotency-Key, ${IDEMPOTENCY_KEY_RE.source}: becomes the job id, so the same key twice runs the operation once`,
  },
  'queue-always': { type: 'boolean', about: 'enqueue even when the host is down (?queue=always): the job runs when it is back' },
  timeout: { type: 'string', value: 'SECONDS', about: `how long snapctl waits for a queued job to finish (default ${DEFAULT_JOB_TIMEOUT_MS / 1000})` },
  filter: {
    type: 'string',
    multiple: true,
    value: 'F',
    about: 'containerd filter, repeatable (OR-ed); commas inside one AND: kind==committed, parent==NAME, labels."a.b"==v, name~=REGEX',
  },
  limit: { type: 'string', value: 'N', about: `one page of at most N snapshots (1..${MAX_PAGE_SIZE}) and the cursor of the next; default: all` },
  after: { type: 'string', value: 'CURSOR', about: `start after CURSOR: ${schemaDescription(WalkResponseSchema.shape.next)}` },
  path: { type: 'boolean', about: "print only the snapshot's subvolume path on its host" },
  scope: { type: 'string', multiple: true, value: 'S', about: `token scopes, comma-separated or repeated: ${TOKEN_SCOPES.join(', ')} (default read)` },
  ns: { type: 'string', multiple: true, value: 'NS', about: `namespaces the token may use, comma-separated or repeated; "${ALL_NAMESPACES}" = all (default: --namespace)` },
  expires: { type: 'string', value: 'SECONDS', about: `${schemaDescription(CreateTokenBodySchema.shape.expiresInSeconds)}` },
} as const satisfies Record<string, OptionSpec>;

export type GlobalOptionName = keyof typeof GLOBAL_OPTIONS;
export type CommandOptionName = keyof typeof COMMAND_OPTIONS;
export type OptionName = GlobalOptionName | CommandOptionName;

/** Options of every command that runs as a job on the host's queue. */
export const MUTATION_OPTIONS: readonly CommandOptionName[] = ['async', 'wait', 'idempotency-key', 'queue-always', 'timeout'];

export const ALL_OPTIONS: Readonly<Record<OptionName, OptionSpec>> = { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS };
