// `ls [--filter F]… [--limit N [--after CURSOR]]`: every snapshot (following the API's cursor
// pages), or with --limit one page and its `next` cursor — then --json is the API's page as is.
import { WalkQuerySchema, type SnapshotInfo } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { renderSnapshotList } from '../output/views';
import { UsageError } from '../usage-error';

export async function list(ctx: CommandContext, inv: Invocation): Promise<void> {
  const host = ctx.host();
  const filters = inv.list('filter');
  const limit = inv.parsed('limit', WalkQuerySchema.shape.limit);
  const after = inv.parsed('after', WalkQuerySchema.shape.after);
  if (after !== undefined && limit === undefined) throw new UsageError('--after continues a page: use it with --limit', inv.command.name);

  if (limit !== undefined) {
    const page = await ctx.client.walkSnapshots(ctx.namespace, host, { filters, limit, ...(after === undefined ? {} : { after }) });
    if (ctx.json) return ctx.printJson(page);
    ctx.print(renderSnapshotList(page.snapshots));
    if (page.next !== undefined) ctx.note(`more snapshots follow: repeat with --after ${page.next}`);
    return;
  }
  const snapshots: SnapshotInfo[] = [];
  for await (const s of ctx.client.walkAll(ctx.namespace, host, filters)) snapshots.push(s);
  if (ctx.json) ctx.printJson({ snapshots });
  else ctx.print(renderSnapshotList(snapshots));
}
