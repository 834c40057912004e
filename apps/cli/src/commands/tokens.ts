// `token create NAME`, `token list`, `token revoke ID…` (admin). create prints only the
// token on stdout, so `T=$(snapctl token create ci --scope read,write --ns ci)` works; the
// secret is not shown again anywhere.
import { CreateTokenBodySchema, SnapfleetError, TOKEN_SCOPES, describeIssues } from '@snapfleet/contracts';
import type { CommandContext } from '../context';
import { EXIT_CODES, EXIT_OK } from '../exit-codes';
import type { Invocation } from '../invocation';
import { renderTable } from '../output/table';
import { formatError } from '../report-error';
import { UsageError } from '../usage-error';

/** `--scope read,write --scope admin` → ['read', 'write', 'admin']. */
const splitList = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

export async function createToken(ctx: CommandContext, inv: Invocation): Promise<void> {
  const scopes = splitList(inv.list('scope'));
  const namespaces = splitList(inv.list('ns'));
  const expires = inv.seconds('expires');
  const body = CreateTokenBodySchema.safeParse({
    name: inv.args[0],
    namespaces: namespaces.length > 0 ? namespaces : [ctx.namespace],
    scopes: scopes.length > 0 ? scopes : ['read'],
    ...(expires === undefined ? {} : { expiresInSeconds: Math.ceil(expires / 1000) }),
  });
  if (!body.success) throw new UsageError(`bad token request: ${describeIssues(body.error)} (scopes: ${TOKEN_SCOPES.join(', ')})`, inv.command.name);
  const made = await ctx.client.createToken(body.data);
  if (ctx.json) ctx.printJson(made);
  else ctx.print(`${made.token}\n`);
}

export async function listTokens(ctx: CommandContext): Promise<void> {
  const { tokens } = await ctx.client.listTokens();
  if (ctx.json) return ctx.printJson({ tokens });
  ctx.print(
    renderTable(
      ['ID', 'NAME', 'SCOPES', 'NAMESPACES', 'CREATED', 'EXPIRES', 'REVOKED'],
      tokens.map((t) => [t.id, t.name, t.scopes.join(','), t.namespaces.join(','), t.createdAt, t.expiresAt ?? '-', t.revokedAt ?? '-']),
    ),
  );
}

/** Each id in turn; a failure is reported and the others still revoked (like `rm`). */
export async function revokeTokens(ctx: CommandContext, inv: Invocation): Promise<number> {
  let status = EXIT_OK;
  for (const id of inv.args) {
    try {
      await ctx.client.revokeToken(id);
    } catch (err) {
      if (!(err instanceof SnapfleetError)) throw err;
      ctx.note(formatError(err, ctx.json));
      if (status === EXIT_OK) status = EXIT_CODES[err.code];
    }
  }
  return status;
}
