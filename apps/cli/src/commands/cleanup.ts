// `cleanup`: deletes the host's subvolumes that no snapshot references (containerd Cleanup).
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { printAccepted, runMutation } from '../mutation';

export async function cleanup(ctx: CommandContext, inv: Invocation): Promise<void> {
  const host = ctx.host();
  const r = await runMutation(ctx, inv, 'cleanupHost', (opts) => ctx.client.cleanupHost(host, opts));
  if (!r.done) return printAccepted(ctx, r);
  if (ctx.json) ctx.printJson(r.value);
  else ctx.print(`removed ${r.value.removed} unreferenced subvolume${r.value.removed === 1 ? '' : 's'} on host ${host}\n`);
}
