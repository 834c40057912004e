// The OpenAPI 3.1 document of the API, generated from the route tables (contracts' ROUTES,
// the pending /v1 entries, the operational routes) and their zod schemas. Nothing in it is a
// hand-copied schema: every schema is z.toJSONSchema of the one the API validates with.
import { ROUTES, type RouteSpec } from '@snapfleet/contracts';
import { PENDING_ROUTES } from '../http/pending-routes';
import { apiOperation, sharedComponents } from './api-operations';
import { OPERATIONAL_ROUTES, type OperationalRoute } from './operational-routes';
import { jsonSchemaOf } from './json-schema';
import { SchemaComponents } from './schema-components';

export interface OpenApiBuild {
  document: Record<string, unknown>;
  /** The zod schema behind every components.schemas entry. */
  components: SchemaComponents;
}

const DESCRIPTION = `
Fleet service for btrfs copy-on-write snapshots with containerd's snapshotter semantics.
Mutations run as jobs on the host's queue; reads are answered from MySQL.

**Keys in paths.** \`{key}\` is one path segment: URL-encode it (\`encodeURIComponent\`), so
\`/\`, \`%\`, spaces and any UTF-8 travel intact. Keys \`.\` and \`..\` are refused.

**Jobs.** A mutation waits up to \`?wait=\` seconds (default 30) and answers with its result.
Past that, or with \`Prefer: respond-async\`, it answers \`202\` with
\`Location: /v1/jobs/{host}/{jobId}\`; poll that. A host without a recent heartbeat answers 503
unless \`?queue=always\`.

**Idempotency.** \`Idempotency-Key\` becomes the job id: a retry with the same key runs the op
once and gets the first answer.

**Errors** are RFC 9457 \`application/problem+json\` with a \`code\`: not_found 404,
already_exists 409, failed_precondition 412, invalid_argument 400 (413 for an oversized body,
405 with \`Allow\` for a wrong method), unavailable 503, aborted 409, internal 500.

**Authentication.** Every \`/v1\` route needs \`Authorization: Bearer <token>\` (unless the API
runs with \`SNAPFLEET_AUTH=off\`). A token has scopes — \`read\`, \`write\`, \`admin\` — and
namespaces (\`*\` = all); each operation says which scope it needs. \`admin\` may do everything
everywhere; tokens are made with \`POST /v1/tokens\` (or \`snapctl token create\`) and revoked
at once on every API process with \`DELETE /v1/tokens/{tokenId}\`. No token, or a bad one: 401.
A token without the scope or namespace: 403, never data. Over the per-token rate limit: 429
with \`Retry-After\`. Health, metrics, these docs and the fleet page's files are public; the
fleet page and the dashboard send the token as the \`snapfleet_token\` cookie, which is
accepted for GET and HEAD only.

**Request ids.** Send \`x-request-id\` (or get one made up); it comes back on every response,
and every log line of the request, in the API and in the worker that ran its job, carries it.

**Polling.** Stat, mounts, walk pages, hosts and jobs carry an \`ETag\`; send it back in
\`If-None-Match\` and an unchanged answer comes back as \`304\` with no body.

Every GET is also served as HEAD.
`.trim();

const TAGS = [
  { name: 'snapshots', description: 'containerd snapshotter operations on one host and namespace' },
  { name: 'hosts', description: 'the fleet: hosts, health, namespaces, cleanup' },
  { name: 'jobs', description: 'where a 202 points to' },
  { name: 'tokens', description: 'API tokens: scopes and namespaces (admin)' },
  { name: 'operations', description: 'health and metrics' },
  { name: 'web', description: 'pages for people: fleet page, API docs, queue dashboard' },
];

function operationalOperation(route: OperationalRoute, components: SchemaComponents): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const headers: Record<string, unknown> = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };
    for (const [h, component] of Object.entries(r.headers ?? {})) headers[h] = { $ref: `#/components/headers/${component}` };
    const response: Record<string, unknown> = { description: r.description, headers };
    if (r.contentType && r.schema) {
      // JSON bodies are components (validated in tests); text bodies (HTML, JS, metrics) are inline strings.
      const json = r.contentType.startsWith('application/');
      const schema = json ? components.ref(r.schema, 'output', `${route.name}${status}`) : jsonSchemaOf(r.schema, 'output');
      response.content = { [r.contentType]: { schema } };
    }
    responses[status] = response;
  }
  const parameters: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const schema = name === undefined ? undefined : route.params?.[name];
    if (!schema) throw new Error(`OpenAPI: no schema for path parameter {${name}} of ${route.path}`);
    return { name, in: 'path', required: true, schema: jsonSchemaOf(schema, 'input') };
  });
  parameters.push({ $ref: '#/components/parameters/RequestId' });
  return {
    operationId: route.name,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    parameters,
    responses,
  };
}

export function buildOpenApi(version: string): OpenApiBuild {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (path: string, method: string, operation: Record<string, unknown>) => {
    const item = (paths[path] ??= {});
    const m = method.toLowerCase();
    if (item[m]) throw new Error(`OpenAPI: ${method} ${path} is described twice`);
    item[m] = operation;
  };
  const apiRoutes: Record<string, RouteSpec> = { ...ROUTES, ...PENDING_ROUTES };
  for (const [name, route] of Object.entries(apiRoutes)) add(route.path, route.method, apiOperation(name, route, components));
  for (const route of OPERATIONAL_ROUTES) add(route.path, route.method, operationalOperation(route, components));

  const shared = sharedComponents();
  const document = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'snapfleet API',
      version,
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/', description: 'this API' }],
    tags: TAGS,
    paths,
    components: {
      schemas: components.toJson(),
      parameters: shared.parameters,
      headers: shared.headers,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API token (`sf1_…`) or the bootstrap admin token' },
        tokenCookie: { type: 'apiKey', in: 'cookie', name: 'snapfleet_token', description: 'the same token, for GET/HEAD only (browsers)' },
      },
    },
  };
  return { document, components };
}
