// `prepare KEY [PARENT]` and `view KEY [PARENT]`: one route (createSnapshot), two kinds.
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { parseLabels } from '../labels';
import { printAccepted, runMutation } from '../mutation';
import { renderCreated } from '../output/views';

export function createCommand(kind: 'active' | 'view') {
  return async (ctx: CommandContext, inv: Invocation): Promise<void> => {
    const [key, parent] = inv.args as [string, string | undefined];
    const labels = parseLabels(inv.list('label'), inv.command.name);
    const body = { key, kind, ...(parent === undefined ? {} : { parent }), ...(labels === undefined ? {} : { labels }) };
    const host = ctx.host();
    const r = await runMutation(ctx, inv, 'createSnapshot', (opts) => ctx.client.createSnapshot(ctx.namespace, host, body, opts));
    if (!r.done) return printAccepted(ctx, r);
    if (ctx.json) ctx.printJson(r.value);
    else ctx.print(renderCreated(r.value));
  };
}
