// `mounts KEY`: how to mount an active or view snapshot (containerd mounts), or with --path
// the subvolume's path on its host, for callers that bind-mount there.
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { renderMounts } from '../output/views';

export async function mounts(ctx: CommandContext, inv: Invocation): Promise<void> {
  const r = await ctx.client.snapshotMounts(ctx.namespace, ctx.host(), inv.args[0]!);
  if (inv.flag('path')) return ctx.json ? ctx.printJson(r.path) : ctx.print(`${r.path}\n`);
  if (ctx.json) ctx.printJson(r);
  else ctx.print(renderMounts(r.mounts));
}
