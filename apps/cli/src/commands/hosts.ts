// `hosts` and `host ID`: the fleet's hosts with their health, as the API reports them.
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { renderHost, renderHosts } from '../output/views';

export async function hosts(ctx: CommandContext): Promise<void> {
  const r = await ctx.client.listHosts();
  if (ctx.json) ctx.printJson(r);
  else ctx.print(renderHosts(r.hosts));
}

export async function host(ctx: CommandContext, inv: Invocation): Promise<void> {
  const h = await ctx.client.getHost(inv.args[0]!);
  if (ctx.json) ctx.printJson(h);
  else ctx.print(renderHost(h));
}
