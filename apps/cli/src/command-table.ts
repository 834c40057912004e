// The command table: every snapctl command, the API route it stands for, its arguments and
// options. Help (help.ts), parsing (parse-argv.ts) and dispatch (cli.ts) read only this, and
// the texts come from the contracts: a command's summary is its route's `summary` in ROUTES,
// an argument's description its schema's `.describe()`.
import {
  BatchBodySchema,
  CommitBodySchema,
  CreateBodySchema,
  CreateTokenBodySchema,
  HostIdSchema,
  JobViewSchema,
  KeySchema,
  TokenIdSchema,
  UpdateBodySchema,
} from '@snapfleet/contracts';
import type { ArgSpec, CommandSpec } from './command-spec';
import { batch } from './commands/batch';
import { cleanup } from './commands/cleanup';
import { commit } from './commands/commit';
import { createCommand } from './commands/create';
import { fsck } from './commands/fsck';
import { host, hosts } from './commands/hosts';
import { info } from './commands/info';
import { getJob, waitJob } from './commands/jobs';
import { label } from './commands/label';
import { list } from './commands/list';
import { mounts } from './commands/mounts';
import { remove } from './commands/remove';
import { createToken, listTokens, revokeTokens } from './commands/tokens';
import { tree } from './commands/tree';
import { usage } from './commands/usage';
import { EXIT_FSCK_ISSUES } from './exit-codes';
import { MUTATION_OPTIONS } from './options';

const KEY: ArgSpec = { name: 'KEY', schema: KeySchema };
const PARENT: ArgSpec = { name: 'PARENT', about: 'committed snapshot to start from', schema: CreateBodySchema.shape.parent, optional: true };
const JOB: ArgSpec = { name: 'JOB', about: 'job id (with --host), or the Location printed by --async', schema: JobViewSchema.shape.id };
const kindOf = (kind: 'active' | 'view') => `kind ${kind}: ${CreateBodySchema.shape.kind.description ?? ''}`.trim();

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'prepare', route: 'createSnapshot', note: 'writable', about: kindOf('active'), args: [KEY, PARENT], options: ['label', ...MUTATION_OPTIONS], run: createCommand('active') },
  { name: 'view', route: 'createSnapshot', note: 'read-only', about: kindOf('view'), args: [KEY, PARENT], options: ['label', ...MUTATION_OPTIONS], run: createCommand('view') },
  {
    name: 'commit',
    route: 'commitSnapshot',
    args: [
      { name: 'NAME', about: 'name of the committed snapshot', schema: CommitBodySchema.shape.name },
      { name: 'KEY', about: 'the active snapshot to commit', schema: KeySchema },
    ],
    options: ['label', ...MUTATION_OPTIONS],
    run: commit,
  },
  { name: 'rm', route: 'removeSnapshot', args: [{ ...KEY, variadic: true }], options: MUTATION_OPTIONS, run: remove },
  {
    name: 'batch',
    route: 'runBatch',
    about: 'FILE holds {"steps": [...]} or the array: each step {"op": "prepare"|"view"|"commit"|"remove"|"update", "key", …} with its route\'s fields',
    args: [{ name: 'FILE', about: 'JSON file of steps, `-` for stdin', schema: BatchBodySchema.shape.steps }],
    options: MUTATION_OPTIONS,
    run: batch,
  },
  { name: 'info', route: 'statSnapshot', args: [KEY], options: [], run: info },
  {
    name: 'label',
    route: 'updateSnapshot',
    args: [KEY, { name: 'k=v', about: '`k=v` sets label k, `k=` removes it (field path labels.k)', schema: UpdateBodySchema.shape.fieldpaths, variadic: true }],
    options: MUTATION_OPTIONS,
    run: label,
  },
  { name: 'mounts', route: 'snapshotMounts', args: [KEY], options: ['path'], run: mounts },
  { name: 'usage', route: 'snapshotUsage', args: [KEY], options: ['wait', 'queue-always', 'timeout'], run: usage },
  { name: 'ls', route: 'walkSnapshots', args: [], options: ['filter', 'limit', 'after'], run: list },
  { name: 'tree', route: 'walkSnapshots', note: 'drawn as parent → children trees', args: [], options: [], run: tree },
  { name: 'cleanup', route: 'cleanupHost', args: [], options: MUTATION_OPTIONS, run: cleanup },
  { name: 'fsck', route: 'fsckHost', note: `exit status ${EXIT_FSCK_ISSUES} when it finds any`, args: [], options: MUTATION_OPTIONS, run: fsck },
  { name: 'hosts', route: 'listHosts', args: [], options: [], run: hosts },
  { name: 'host', route: 'getHost', args: [{ name: 'ID', schema: HostIdSchema }], options: [], run: host },
  {
    name: 'token create',
    route: 'createToken',
    note: 'prints the token (only now)',
    args: [{ name: 'NAME', schema: CreateTokenBodySchema.shape.name }],
    options: ['scope', 'ns', 'expires'],
    run: createToken,
  },
  { name: 'token list', route: 'listTokens', args: [], options: [], run: listTokens },
  { name: 'token revoke', route: 'revokeToken', args: [{ name: 'ID', schema: TokenIdSchema, variadic: true }], options: [], run: revokeTokens },
  { name: 'jobs get', route: 'getJob', args: [JOB], options: [], run: getJob },
  { name: 'jobs wait', route: 'getJob', note: 'waits until it finishes, showing progress', args: [JOB], options: ['timeout'], run: waitJob },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** First words that open a group of commands (`jobs get`, `jobs wait`). */
export const COMMAND_GROUPS: ReadonlySet<string> = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!));
