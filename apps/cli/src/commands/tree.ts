// `tree`: the namespace's snapshots on the host as parent → children trees, like
// `ctr snapshots tree`; --json gives the same forest as nested objects (Info + children).
import type { SnapshotInfo } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import { buildForest, renderForest } from '../output/forest';

export async function tree(ctx: CommandContext): Promise<void> {
  const all: SnapshotInfo[] = [];
  for await (const s of ctx.client.walkAll(ctx.namespace, ctx.host())) all.push(s);
  const forest = buildForest(all);
  if (ctx.json) ctx.printJson(forest);
  else ctx.print(renderForest(forest));
}
