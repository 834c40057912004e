// Help text straight from the contracts: the `.describe()` text of a zod schema. zod 4 keeps
// a description on the exact schema it was given to, so `KeySchema.optional()` has none of
// its own: unwrap optional/default/nullable wrappers until one is found.
import { z } from 'zod';

export function schemaDescription(schema: z.ZodType | undefined): string | undefined {
  for (let s = schema, depth = 0; s !== undefined && depth < 8; depth++) {
    if (s.description) return s.description;
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else return undefined;
  }
  return undefined;
}
