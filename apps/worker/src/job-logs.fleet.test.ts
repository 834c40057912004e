// Logs of one op across processes, in a real fleet at debug level: every line the API and the
// worker write about a mutation carries the request id, every worker line of its job carries
// the job id, and so does the API's line of the request — so one grep for either finds the
// whole story; the job's last line also says where its time went. "About the op" is told
// without trusting those fields: any line that mentions the key, the request id or the job id
// anywhere must carry them.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../test/support/fleet';

let fleet: Fleet;
let api: string;
let host: string;
const tag = randomBytes(4).toString('hex');
const ns = 'logs';

beforeAll(async () => {
  const debug = { SNAPFLEET_LOG_LEVEL: 'debug' };
  fleet = await startFleet({ label: 'joblogs', hosts: 1, apis: 1, apiEnv: debug, workerEnv: debug });
  api = fleet.apis[0]!.url;
  host = fleet.hosts[0]!.id;
}, 120_000);
afterAll(async () => fleet?.dispose());

type Line = Record<string, unknown> & { raw: string };

async function logLines(prefix: string): Promise<Line[]> {
  const files = (await readdir(fleet.logs)).filter((f) => f.startsWith(prefix));
  expect(files.length).toBeGreaterThan(0);
  const lines: Line[] = [];
  for (const f of files) {
    for (const raw of (await readFile(join(fleet.logs, f), 'utf8')).split('\n')) {
      if (raw.startsWith('{')) lines.push({ ...(JSON.parse(raw) as Record<string, unknown>), raw });
    }
  }
  return lines;
}

/** Runs a mutation with its own request id; returns that id and the job id the API answered. */
async function mutate(method: string, path: string, body: unknown, expected: number): Promise<{ requestId: string; jobId: string; status: number }> {
  const requestId = `logs-${tag}-${method}-${randomBytes(3).toString('hex')}`;
  const r = await fetch(`${api}/v1/namespaces/${ns}/hosts/${host}/snapshots${path}`, {
    method,
    headers: { 'x-request-id': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(r.status, await r.clone().text()).toBe(expected);
  expect(r.headers.get('x-request-id')).toBe(requestId);
  return { requestId, jobId: r.headers.get('x-job-id')!, status: r.status };
}

it('API and worker lines of an op share its request id; the worker\'s carry its job id', async () => {
  const key = `logkey-${tag}`;
  const ops = [
    await mutate('POST', '', { key }, 201),
    await mutate('POST', `/${key}/commit`, { name: `${key}-c` }, 201),
    // A failing op logs too (the worker's "job failed", the API's problem).
    await mutate('DELETE', `/no-such-${tag}`, undefined, 404),
  ];
  // The worker writes its last line right after completing the job.
  await new Promise((r) => setTimeout(r, 500));
  const apiLines = await logLines('api-');
  const workerLines = await logLines('worker-');

  for (const { requestId, jobId, status } of ops) {
    expect(jobId).toMatch(/^op-/);
    const mentions = (l: Line) => l.raw.includes(requestId) || l.raw.includes(jobId);

    const apiOfOp = apiLines.filter(mentions);
    expect(apiOfOp.length, `API lines of ${requestId}`).toBeGreaterThanOrEqual(1);
    for (const l of apiOfOp) expect(l.requestId, l.raw).toBe(requestId);
    // The request's own summary line is among them, and names the job.
    const summary = apiOfOp.find((l) => (l.req as { url?: string } | undefined)?.url !== undefined);
    expect(summary?.jobId).toBe(jobId);
    // …with the status the client got and a duration.
    expect((summary?.res as { statusCode?: unknown } | undefined)?.statusCode, summary?.raw).toBe(status);
    expect(summary?.responseTime, summary?.raw).toEqual(expect.any(Number));

    const workerOfOp = workerLines.filter(mentions);
    expect(workerOfOp.length, `worker lines of ${jobId}`).toBeGreaterThanOrEqual(2); // job started (debug), job done/failed
    for (const l of workerOfOp) {
      expect(l.jobId, l.raw).toBe(jobId);
      expect(l.requestId, l.raw).toBe(requestId);
      expect(l.host, l.raw).toBe(host);
    }
  }

  // The job's last line says where its time went: queue wait, lease wait, btrfs calls.
  const done = (jobId: string) => workerLines.find((l) => l.jobId === jobId && (l.msg === 'job done' || l.msg === 'job failed'));
  const [prepared, committed, failedRemove] = ops.map((o) => done(o.jobId));
  for (const l of [prepared, committed, failedRemove]) {
    expect(l?.waitMs, l?.raw).toEqual(expect.any(Number));
    expect(l?.lockMs, l?.raw).toEqual(expect.any(Number));
    expect(l!.ms as number, l?.raw).toBeGreaterThanOrEqual(Math.floor((l!.lockMs as number) + (l!.btrfsMs as number)) - 1);
  }
  // A prepare creates a subvolume and a commit snapshots one; a remove of a missing key calls no btrfs.
  expect(prepared!.btrfsMs as number, prepared!.raw).toBeGreaterThan(0);
  expect(committed!.btrfsMs as number, committed!.raw).toBeGreaterThan(0);
  expect(failedRemove!.btrfsMs, failedRemove!.raw).toBe(0);

  // Nothing the worker wrote about the key escaped its job's context.
  const aboutKey = workerLines.filter((l) => l.raw.includes(key));
  for (const l of aboutKey) expect(ops.map((o) => o.jobId), l.raw).toContain(l.jobId);
});
