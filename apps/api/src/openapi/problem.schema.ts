// The shape of every error response: RFC 9457 problem details with snapfleet's `code`, the
// request id, and the typed error's details (host, jobId, errno, …) as extension members.
// Written as a zod schema so the OpenAPI document and the tests derive from one definition
// (libs/contracts has the Problem type; this is its schema).
import { ERROR_CODES } from '@snapfleet/contracts';
import { z } from 'zod';

export const ProblemSchema = z
  .looseObject({
    type: z.string().describe('urn:snapfleet:error:<code>'),
    title: z.string(),
    status: z.number().int().describe('the HTTP status of the response'),
    detail: z.string().describe('what went wrong, for a person'),
    code: z.enum(ERROR_CODES).describe('machine-readable error code; clients branch on it, not on the status'),
    instance: z.string().optional().describe('the request path and query'),
    requestId: z.string().optional().describe('x-request-id of the request: find it in the API and worker logs'),
    jobId: z.string().optional().describe('the job this request made, when it got that far'),
    host: z.string().optional(),
  })
  .describe('RFC 9457 problem details (application/problem+json)');
