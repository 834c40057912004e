// `commit NAME KEY`: the active snapshot KEY becomes the committed snapshot NAME.
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { parseLabels } from '../labels';
import { printAccepted, runMutation } from '../mutation';
import { renderInfo } from '../output/views';

export async function commit(ctx: CommandContext, inv: Invocation): Promise<void> {
  const [name, key] = inv.args as [string, string];
  const labels = parseLabels(inv.list('label'), inv.command.name);
  const host = ctx.host();
  const r = await runMutation(ctx, inv, 'commitSnapshot', (opts) =>
    ctx.client.commitSnapshot(ctx.namespace, host, key, { name, ...(labels === undefined ? {} : { labels }) }, opts),
  );
  if (!r.done) return printAccepted(ctx, r);
  if (ctx.json) ctx.printJson(r.value);
  else ctx.print(renderInfo(r.value.info));
}
