// The OpenAPI document as generated, without a server: it describes every route of the
// route tables, every schema in it is z.toJSONSchema of the zod schema the API validates
// with, and it says what clients must know (202 + Location, problem+json, keys as one
// encoded segment, the headers).
import { ROUTES, WaitQuerySchema, type RouteSpec } from '@snapfleet/contracts';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { PENDING_ROUTES } from '../http/pending-routes';
import { jsonSchemaOf } from './json-schema';
import { buildOpenApi } from './openapi-document';
import { OPERATIONAL_ROUTES } from './operational-routes';
import { componentName } from './schema-components';

const { document, components } = buildOpenApi('test');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking a JSON document
const doc = document as any;
const apiRoutes: [string, RouteSpec][] = Object.entries({ ...ROUTES, ...PENDING_ROUTES });
const operation = (r: { method: string; path: string }) => doc.paths[r.path]?.[r.method.toLowerCase()];

/** Every `$ref` anywhere in the document. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with JSON Schema 2020-12', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.info).toMatchObject({ title: 'snapfleet API', version: 'test' });
  });

  it('describes every route of ROUTES, the pending routes and the operational routes, and nothing else', () => {
    const expected = [...apiRoutes.map(([, r]) => r), ...OPERATIONAL_ROUTES].map((r) => `${r.method} ${r.path}`).sort();
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(described).toEqual(expected);
    for (const [name, route] of apiRoutes) expect(operation(route).operationId).toBe(name);
  });

  it('has every schema component equal to z.toJSONSchema of the zod schema it came from', () => {
    expect(components.all().size).toBeGreaterThan(10);
    for (const [name, c] of components.all()) {
      const { $schema: _dialect, ...expected } = z.toJSONSchema(c.schema, { io: c.io, target: 'draft-2020-12', unrepresentable: 'any' });
      expect(doc.components.schemas[name], name).toEqual(expected);
    }
    expect(Object.keys(doc.components.schemas).sort()).toEqual([...components.all().keys()].sort());
  });

  it('uses the contracts\' schemas for bodies and success responses', () => {
    for (const [name, route] of apiRoutes) {
      const op = operation(route);
      if (route.body) {
        const c = components.all().get(componentName(op.requestBody.content['application/json'].schema) ?? '');
        expect(c?.schema, `${name} body`).toBe(route.body);
        expect(c?.io).toBe('input');
      }
      const success = op.responses[String(route.status)];
      expect(success, `${name} ${route.status}`).toBeDefined();
      if (route.response) {
        const c = components.all().get(componentName(success.content['application/json'].schema) ?? '');
        expect(c?.schema, `${name} response`).toBe(route.response);
        expect(c?.io).toBe('output');
      } else expect(success.content).toBeUndefined();
    }
  });

  it('says in every operation\'s description which scope it needs, and for job routes how they answer', () => {
    for (const [name, route] of apiRoutes) {
      const description = operation(route).description as string;
      expect(description, name).toContain(`scope \`${route.scope}\``);
      if (route.async === true) expect(description, name).toContain('Runs as a job on the host\'s queue');
    }
    expect(operation(ROUTES.snapshotUsage).description).toMatch(/^Needs a token with scope `read`.*\n\nAnswered from MySQL for committed and view snapshots/s);
  });

  it('documents ETag, If-None-Match and 304 on the conditional routes, and only there', () => {
    const conditional = apiRoutes.filter(([, r]) => r.conditional === true).map(([name]) => name);
    expect(conditional.sort()).toEqual(['getHost', 'getJob', 'listHosts', 'listNamespaces', 'snapshotMounts', 'statSnapshot', 'walkSnapshots']);
    for (const [name, route] of apiRoutes) {
      const op = operation(route);
      const params = (op.parameters as { $ref?: string }[]).map((p) => p.$ref);
      const yes = route.conditional === true;
      expect(params.includes('#/components/parameters/IfNoneMatch'), name).toBe(yes);
      expect(op.responses['304'] !== undefined, name).toBe(yes);
      expect(op.responses[String(route.status)].headers.ETag !== undefined, name).toBe(yes);
    }
    expect(doc.components.parameters.IfNoneMatch).toMatchObject({ name: 'If-None-Match', in: 'header' });
  });

  it('lists query parameters from the query schemas, with their JSON Schemas', () => {
    for (const [name, route] of apiRoutes) {
      const query = (operation(route).parameters as { in?: string; name: string; schema: unknown }[]).filter((p) => p.in === 'query');
      const shape = route.query instanceof z.ZodObject ? (route.query.shape as Record<string, z.ZodType>) : {};
      expect(query.map((p) => p.name).sort(), name).toEqual(Object.keys(shape).sort());
      for (const p of query) expect(p.schema).toEqual(jsonSchemaOf(shape[p.name]!, 'input'));
    }
  });

  it('documents keys as one URL-encoded path segment', () => {
    const stat = operation(ROUTES.statSnapshot);
    const key = stat.parameters.find((p: { name?: string }) => p.name === 'key');
    expect(key).toMatchObject({ in: 'path', required: true, style: 'simple' });
    expect(key.description).toMatch(/one.*URL-encoded path segment/);
    expect(key.description).toContain('%2F');
    for (const [, route] of apiRoutes) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (operation(route).parameters as { in?: string; name: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared).toEqual(names);
    }
  });

  it('gives every job route a 202 with Location and the job, and Idempotency-Key and Prefer on mutations', () => {
    for (const [name, route] of apiRoutes) {
      const op = operation(route);
      const job = route.async === true || route.query === WaitQuerySchema;
      if (!job) {
        expect(op.responses['202'], name).toBeUndefined();
        continue;
      }
      const accepted = op.responses['202'];
      expect(accepted.headers.Location, name).toEqual({ $ref: '#/components/headers/Location' });
      expect(accepted.headers['x-job-id']).toBeDefined();
      expect(componentName(accepted.content['application/json'].schema)).toBe('Accepted');
      const params = refs(op.parameters);
      expect(params).toContain('#/components/parameters/Prefer');
      if (route.method !== 'GET') expect(params, name).toContain('#/components/parameters/IdempotencyKey');
    }
  });

  it('answers errors as application/problem+json, with x-request-id on every response', () => {
    for (const [name, route] of apiRoutes) {
      const op = operation(route);
      for (const status of ['400', '404', '500', '503']) {
        expect(componentName(op.responses[status]?.content['application/problem+json'].schema), `${name} ${status}`).toBe('Problem');
      }
      if (route.body) expect(op.responses['413']).toBeDefined();
      for (const r of Object.values(op.responses) as { headers: Record<string, unknown> }[]) {
        expect(r.headers['x-request-id']).toEqual({ $ref: '#/components/headers/RequestId' });
      }
      expect(refs(op.parameters)).toContain('#/components/parameters/RequestId');
    }
    expect(doc.components.parameters.RequestId).toMatchObject({ name: 'x-request-id', in: 'header' });
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
  });

  it('has no dangling $ref', () => {
    for (const ref of refs(doc)) {
      const target = ref
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it('has unique operation ids', () => {
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) => Object.values(item).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
