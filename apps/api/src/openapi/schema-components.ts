// The document's components.schemas, filled as operations refer to schemas: each zod schema
// is converted once (per direction) and referred to by $ref. The zod schema behind every
// component is kept, so tests can check a component against z.toJSONSchema of its schema and
// validate live responses with the very schema it was generated from.
import type { z } from 'zod';
import { jsonSchemaOf, type JsonSchema, type SchemaIo } from './json-schema';
import { SCHEMA_NAMES } from './schema-names';

export interface SchemaComponent {
  name: string;
  schema: z.ZodType;
  io: SchemaIo;
}

export type SchemaRef = { $ref: string };

export class SchemaComponents {
  private readonly byName = new Map<string, SchemaComponent>();

  /**
   * A $ref to the component for `schema` as read in direction `io`. `fallbackName` names it
   * when SCHEMA_NAMES does not; a schema used in both directions gets an `Input` twin when
   * the two JSON Schemas differ.
   */
  ref(schema: z.ZodType, io: SchemaIo, fallbackName: string): SchemaRef {
    const base = SCHEMA_NAMES.get(schema) ?? fallbackName;
    for (const name of [base, `${base}${io === 'input' ? 'Input' : 'Output'}`]) {
      const existing = this.byName.get(name);
      if (!existing) {
        this.byName.set(name, { name, schema, io });
        return { $ref: `#/components/schemas/${name}` };
      }
      if (existing.schema === schema && (existing.io === io || sameJson(existing, io))) return { $ref: `#/components/schemas/${name}` };
    }
    throw new Error(`OpenAPI: two different schemas want the component name ${base}`);
  }

  /** Every component made so far, by name. */
  all(): ReadonlyMap<string, SchemaComponent> {
    return this.byName;
  }

  toJson(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const [name, c] of [...this.byName].sort(([a], [b]) => a.localeCompare(b))) out[name] = jsonSchemaOf(c.schema, c.io);
    return out;
  }
}

function sameJson(c: SchemaComponent, io: SchemaIo): boolean {
  return JSON.stringify(jsonSchemaOf(c.schema, c.io)) === JSON.stringify(jsonSchemaOf(c.schema, io));
}

/** The component a `$ref` names, or undefined for an inline schema. */
export function componentName(ref: unknown): string | undefined {
  const r = (ref as { $ref?: unknown } | undefined)?.$ref;
  return typeof r === 'string' && r.startsWith('#/components/schemas/') ? r.slice('#/components/schemas/'.length) : undefined;
}
