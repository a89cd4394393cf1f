/**
 * types.ts: the few OpenAPI 3.1 object shapes the document's modules build. Schemas stay plain
 * JSON Schema objects (the test validates answers against them with the keywords it knows).
 */

/** Schema is a JSON Schema (2020-12 dialect, as OpenAPI 3.1 uses it). */
export type Schema = Record<string, unknown>;

/** MediaType is one entry of a `content` map. */
export interface MediaType { schema?: Schema; example?: unknown; examples?: Record<string, { summary?: string; value: unknown }>; encoding?: Record<string, unknown> }

/** Response is one documented answer. */
export interface Response { description: string; content?: Record<string, MediaType>; headers?: Record<string, unknown> }

/** Parameter is a path, query or header parameter. */
export interface Parameter { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; description?: string; schema: Schema; example?: unknown }

/** Operation is one method on one path. */
export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
}

/** Paths maps an OpenAPI path template (`{param}`) to its operations by lower-case method. */
export type Paths = Record<string, Partial<Record<'get' | 'put' | 'post' | 'delete' | 'patch' | 'options' | 'head', Operation>>>;
