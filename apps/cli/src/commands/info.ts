// `info KEY`: the snapshot's containerd Info, read from the metadata (no queue hop).
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { renderInfo } from '../output/views';

export async function info(ctx: CommandContext, inv: Invocation): Promise<void> {
  const info = await ctx.client.statSnapshot(ctx.namespace, ctx.host(), inv.args[0]!);
  if (ctx.json) ctx.printJson(info);
  else ctx.print(renderInfo(info));
}
