// What a command handler gets: the API client configured from flags and environment, the
// namespace and host it addresses, and where its output goes. Built once per run by cli.ts.
import { SnapfleetClient } from '@snapfleet/client';
import { DEFAULT_NAMESPACE } from '@snapfleet/contracts';
import type { Invocation } from './invocation';
import { DEFAULT_API_URL } from './options';
import { createProgress, type Progress, type ProgressStream } from './progress';
import { UsageError } from './usage-error';

/** The process's streams and environment (injectable so tests can run the CLI in-process). */
export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  client: SnapfleetClient;
  namespace: string;
  /** --host / SNAPFLEET_HOST_ID; a usage error when neither is given. */
  host(): string;
  json: boolean;
  /** Plain text to stdout, as is. */
  print(text: string): void;
  /** One JSON document to stdout. */
  printJson(value: unknown): void;
  /** A note for the user on stderr (hints, not results). */
  note(text: string): void;
  progress(label: string): Progress;
  /** Milliseconds to wait for a queued job (--timeout), undefined = client default. */
  jobTimeoutMs: number | undefined;
}

export function createContext(inv: Invocation, io: Io): CommandContext {
  const apiUrl = inv.string('api-url') ?? (io.env.SNAPFLEET_API_URL || DEFAULT_API_URL);
  if (!URL.canParse(apiUrl) || !/^https?:$/.test(new URL(apiUrl).protocol)) {
    throw new UsageError(`API URL ${JSON.stringify(apiUrl)} is not an http(s) URL (--api-url or SNAPFLEET_API_URL)`);
  }
  const token = inv.string('token') ?? (io.env.SNAPFLEET_API_TOKEN || undefined);
  const host = inv.string('host') ?? (io.env.SNAPFLEET_HOST_ID || undefined);
  const quiet = inv.flag('quiet');
  return {
    client: new SnapfleetClient({ baseUrl: apiUrl, ...(token === undefined ? {} : { token }), userAgent: 'snapctl/1' }),
    namespace: inv.string('namespace') ?? DEFAULT_NAMESPACE,
    host() {
      if (host === undefined) throw new UsageError('no host: pass --host ID (-H ID) or set SNAPFLEET_HOST_ID', inv.command.name);
      return host;
    },
    json: inv.flag('json'),
    print: (text) => void io.stdout.write(text),
    printJson: (value) => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (text) => void io.stderr.write(`${text}\n`),
    progress: (label) => createProgress(io.stderr, label, !quiet),
    jobTimeoutMs: inv.seconds('timeout'),
  };
}
