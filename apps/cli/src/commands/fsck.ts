// `fsck`: the host's consistency report — every metadata row against its subvolume, every
// subvolume against the rows, and the queue's stuck or given-up jobs. Exit status 0 when
// clean, EXIT_FSCK_ISSUES when it found differences, so scripts and cron can alert on it.
import type { FsckReport } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import { EXIT_FSCK_ISSUES, EXIT_OK } from '../exit-codes';
import type { Invocation } from '../invocation';
import { printAccepted, runMutation } from '../mutation';
import { renderTable } from '../output/table';

function render(r: FsckReport): string {
  const head = `host ${r.host}: ${r.rows} metadata rows, ${r.subvolumes} subvolumes, ${r.issues.length} issue${r.issues.length === 1 ? '' : 's'}\n`;
  if (r.issues.length === 0) return head;
  const where = (i: FsckReport['issues'][number]) =>
    [i.namespace !== undefined && i.key !== undefined ? `${i.namespace}/${i.key}` : '', i.jobId !== undefined ? `job ${i.jobId}` : '', i.path ?? ''].filter(Boolean).join(' ');
  return head + renderTable(['ISSUE', 'WHERE', 'DETAIL'], r.issues.map((i) => [i.kind, where(i), i.detail]));
}

export async function fsck(ctx: CommandContext, inv: Invocation): Promise<number> {
  const host = ctx.host();
  const r = await runMutation(ctx, inv, 'fsckHost', (opts) => ctx.client.fsckHost(host, opts));
  if (!r.done) {
    printAccepted(ctx, r);
    return EXIT_OK;
  }
  if (ctx.json) ctx.printJson(r.value);
  else ctx.print(render(r.value));
  return r.value.issues.length === 0 ? EXIT_OK : EXIT_FSCK_ISSUES;
}
