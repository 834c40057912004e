// `usage KEY`: bytes and inodes of the snapshot itself. A committed snapshot's usage is read
// from the metadata; an active one is measured on its host as a job, hence the wait options.
import { WaitQuerySchema } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import type { Invocation } from '../invocation';
import { withJobProgress } from '../job-wait';
import { printable } from '../output/printable';
import { renderUsage } from '../output/views';

export async function usage(ctx: CommandContext, inv: Invocation): Promise<void> {
  const key = inv.args[0]!;
  const host = ctx.host();
  const wait = inv.parsed('wait', WaitQuerySchema.shape.wait);
  const u = await withJobProgress(ctx, host, `usage of ${printable(key)}`, (w) =>
    ctx.client.snapshotUsage(ctx.namespace, host, key, {
      ...w,
      ...(wait === undefined ? {} : { wait }),
      ...(inv.flag('queue-always') ? { queue: 'always' as const } : {}),
    }),
  );
  if (ctx.json) ctx.printJson(u);
  else ctx.print(renderUsage(key, u));
}
