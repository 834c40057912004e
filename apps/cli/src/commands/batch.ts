// `batch FILE`: the steps in FILE (JSON: `{"steps": [...]}` or the array itself; `-` reads
// stdin) run in order as one job on the host. Prints one line per step that ran; when a step
// fails, its error goes to stderr and sets the exit status, as if that op had run alone.
import { readFile } from 'node:fs/promises';
import { BatchBodySchema, SnapfleetError, describeIssues, type BatchResult, type BatchStep } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import { EXIT_CODES, EXIT_OK } from '../exit-codes';
import type { Invocation } from '../invocation';
import { printAccepted, runMutation } from '../mutation';
import { escapeUnsafe } from '../output/printable';
import { renderTable } from '../output/table';
import { formatError } from '../report-error';
import { UsageError } from '../usage-error';

async function readSteps(file: string, command: string): Promise<BatchStep[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`, command);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`, command);
  }
  // Checked here with the route's own schema, so a typo is a usage error before any request.
  const parsed = BatchBodySchema.safeParse(Array.isArray(doc) ? { steps: doc } : doc);
  if (!parsed.success) throw new UsageError(`${file}: ${describeIssues(parsed.error)}`, command);
  return parsed.data.steps;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function render(steps: readonly BatchStep[], r: BatchResult): string {
  const rows = r.results.map((result, i) => {
    const step = steps[i]!;
    const outcome = 'removed' in result ? 'removed' : `${result.info.kind} ${result.info.name}`;
    return [String(i), step.op, escapeUnsafe(step.key), outcome];
  });
  if (r.failed) rows.push([String(r.failed.step), steps[r.failed.step]!.op, escapeUnsafe(steps[r.failed.step]!.key), `failed: ${r.failed.error.code}`]);
  const skipped = steps.length - rows.length;
  return renderTable(['STEP', 'OP', 'KEY', 'OUTCOME'], rows) + (skipped > 0 ? `${skipped} step${skipped === 1 ? '' : 's'} not run\n` : '');
}

export async function batch(ctx: CommandContext, inv: Invocation): Promise<number> {
  const steps = await readSteps(inv.args[0]!, inv.command.name);
  const host = ctx.host();
  const r = await runMutation(ctx, inv, 'runBatch', (opts) => ctx.client.runBatch(ctx.namespace, host, { steps }, opts));
  if (!r.done) {
    printAccepted(ctx, r);
    return EXIT_OK;
  }
  if (ctx.json) ctx.printJson(r.value);
  else ctx.print(render(steps, r.value));
  const failed = r.value.failed;
  if (failed === undefined) return EXIT_OK;
  const err = new SnapfleetError(failed.error.code, `step ${failed.step}: ${failed.error.message}`, failed.error.details);
  if (!ctx.json) ctx.note(formatError(err, false));
  return EXIT_CODES[failed.error.code];
}
