// zod → JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) with z.toJSONSchema, the one
// conversion every schema of the OpenAPI document goes through. Requests are described as
// clients send them (io: input: defaults optional, coercions accept strings), responses as
// the API produces them (io: output).
import { z } from 'zod';

export type SchemaIo = 'input' | 'output';
export type JsonSchema = Record<string, unknown>;

export function jsonSchemaOf(schema: z.ZodType, io: SchemaIo): JsonSchema {
  // Refinements (a key's byte length, NUL) have no JSON Schema form; they stay in the
  // schema's description and are enforced by the API, which answers 400 naming them.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' });
  return rest;
}

/** True when the field may be left out of a request (optional or defaulted). */
export function isOptionalInput(field: z.ZodType): boolean {
  return field.safeParse(undefined).success;
}
