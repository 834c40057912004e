// `label KEY k=v… k=`: sets and removes labels through PATCH with `labels.<k>` field paths,
// so labels not named stay as they are (containerd's `ctr snapshots label`). Prints the
// snapshot's labels afterwards.
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { labelUpdate } from '../labels';
import { printAccepted, runMutation } from '../mutation';
import { printable } from '../output/printable';

export async function label(ctx: CommandContext, inv: Invocation): Promise<void> {
  const [key, ...words] = inv.args as [string, ...string[]];
  const body = labelUpdate(words, inv.command.name);
  const host = ctx.host();
  const r = await runMutation(ctx, inv, 'updateSnapshot', (opts) => ctx.client.updateSnapshot(ctx.namespace, host, key, body, opts));
  if (!r.done) return printAccepted(ctx, r);
  if (ctx.json) return ctx.printJson(r.value);
  const lines = Object.entries(r.value.labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${printable(k)}=${printable(v)}\n`);
  ctx.print(lines.join(''));
}
