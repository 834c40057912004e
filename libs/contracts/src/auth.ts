// API tokens: what a token may do (scopes), where (namespaces), and the shape of the token
// routes' bodies. The secret of a token is shown once, at creation; the API stores only its
// SHA-256 (the secret is 256 random bits, so a slow password hash would add nothing).
import { z } from 'zod';
import { NamespaceSchema } from './identifiers';

/**
 * read: stat, mounts, usage, walk, jobs of its namespaces. write: prepare, view, commit,
 * update, remove in its namespaces (write does not imply read). admin: hosts, cleanup, the
 * dashboard, tokens — and every namespace.
 */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export const TokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/** `*` = every namespace, present and future. */
export const ALL_NAMESPACES = '*';
export const TokenNamespaceSchema = z.union([z.literal(ALL_NAMESPACES), NamespaceSchema]);

export const TokenIdSchema = z
  .string()
  .regex(/^[0-9a-f]{16}$/, 'token id must be 16 lowercase hex digits')
  .describe('public id of a token (the part after "sf1_")');

/** `sf1_<id>_<secret>`: the id finds the row, the secret proves possession. */
export const TOKEN_RE = /^sf1_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function parseApiToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export const CreateTokenBodySchema = z
  .object({
    name: z.string().min(1).max(128).describe('what the token is for (shown in lists)'),
    namespaces: z.array(TokenNamespaceSchema).min(1).max(256).describe(`namespaces the token may use; "${ALL_NAMESPACES}" = all`),
    scopes: z.array(TokenScopeSchema).min(1).max(TOKEN_SCOPES.length),
    expiresInSeconds: z
      .number()
      .int()
      .min(1)
      .max(10 * 365 * 24 * 3600)
      .optional()
      .describe('lifetime; none = until revoked'),
  })
  .strict();
export type CreateTokenBody = z.input<typeof CreateTokenBodySchema>;

export const TokenViewSchema = z.object({
  id: TokenIdSchema,
  name: z.string(),
  namespaces: z.array(z.string()),
  scopes: z.array(TokenScopeSchema),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenViewSchema>;

export const TokenCreatedSchema = z.object({
  token: z.string().regex(TOKEN_RE).describe('the bearer token; shown only in this answer'),
  info: TokenViewSchema,
});
export type TokenCreated = z.infer<typeof TokenCreatedSchema>;

export const TokenListSchema = z.object({ tokens: z.array(TokenViewSchema) });
