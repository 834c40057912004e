// Turns a zod failure into snapfleet's invalid_argument error with a readable message.
import type { z } from 'zod';
import { invalidArgument } from './errors';

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidArgument(`invalid ${what}: ${describeIssues(r.error)}`);
  return r.data;
}
