// Which job `jobs get|wait` means: a job id with --host, or the Location that `--async`
// printed (`/v1/jobs/HOST/ID`, or a full URL to it), which names the host itself.
import { API_VERSION_PREFIX } from '@snapfleet/contracts';
import { UsageError } from './usage-error';

export interface JobRef {
  host: string | undefined;
  jobId: string;
}

const LOCATION_RE = new RegExp(`^${API_VERSION_PREFIX}/jobs/([^/]+)/([^/]+)$`);

export function parseJobRef(arg: string, command: string): JobRef {
  let path = arg;
  if (/^https?:\/\//i.test(arg)) {
    try {
      path = new URL(arg).pathname;
    } catch {
      throw new UsageError(`${JSON.stringify(arg)} is neither a job id nor a job URL`, command);
    }
  }
  const m = LOCATION_RE.exec(path);
  if (!m) return { host: undefined, jobId: arg };
  try {
    return { host: decodeURIComponent(m[1]!), jobId: decodeURIComponent(m[2]!) };
  } catch {
    throw new UsageError(`${JSON.stringify(arg)} is not a valid job location`, command);
  }
}
