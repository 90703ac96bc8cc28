import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument, OpenApiOperation, OpenApiResponse } from '../../../src/contract/openapi.js';
import { type Answer, onAnswer } from '../http.js';

// ajv-formats is CommonJS: its default export is the plugin under ESM or the namespace under tsc.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** One operation of the document, found from a request's method and path. */
interface Operation {
  readonly id: string;
  readonly op: OpenApiOperation;
}

interface PathEntry {
  readonly template: string;
  readonly pattern: RegExp;
  readonly methods: Readonly<Record<string, Operation>>;
}

/** The answers one app gave, checked against that app's own OpenAPI document. */
export interface Conformance {
  /** Every way an answer differed from the document, one line each (method, path, what). */
  readonly problems: string[];
  /** The operations that answered, by operationId, with the statuses they answered. */
  readonly seen: ReadonlyMap<string, ReadonlySet<number>>;
  /** Every operationId of the document. */
  readonly operations: readonly string[];
  /** Checks one answer; requests outside the document's paths are not its business. */
  check(method: string, url: string, answer: Answer): void;
  /** Checks every answer `send` receives from `origin` until `stop()`. */
  listen(): void;
  stop(): void;
}

/**
 * Checks answers against an OpenAPI 3.1 document the way a validating proxy in front of a
 * generated client would: the status is one the operation lists, the content type is one that
 * response declares (none for a response without content), the body validates against its
 * schema (JSON Schema 2020-12, ajv with formats), and the response's required headers are there.
 * A method the path does not list must get 405 with an Allow of the listed methods.
 *
 * @example
 * const c = conformance(doc, t().origin); c.listen(); … ; c.stop(); expect(c.problems).toEqual([]);
 */
export function conformance(doc: OpenApiDocument, origin: string): Conformance {
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const compiled = new Map<string, ValidateFunction>();
  const validator = (schema: unknown): ValidateFunction => {
    const text = JSON.stringify(schema).replaceAll('"#/components', '"doc#/components');
    let fn = compiled.get(text);
    if (!fn) {
      fn = ajv.compile(JSON.parse(text));
      compiled.set(text, fn);
    }
    return fn;
  };
  const paths = pathEntries(doc);
  const problems: string[] = [];
  const seen = new Map<string, Set<number>>();
  let unsubscribe: (() => void) | null = null;

  const check = (method: string, url: string, answer: Answer): void => {
    if (!url.startsWith(origin)) return;
    const path = new URL(url).pathname;
    const entry = paths.find((p) => p.pattern.test(path));
    const verb = method.toLowerCase();
    if (!entry || verb === 'head' || verb === 'options') return;
    const where = `${method} ${path} → ${answer.status}`;
    const found = entry.methods[verb];
    if (!found) {
      problems.push(...notAllowedProblems(where, entry, answer, validator));
      return;
    }
    const statuses = seen.get(found.id) ?? new Set<number>();
    statuses.add(answer.status);
    seen.set(found.id, statuses);
    const listed = found.op.responses;
    const key = [String(answer.status), `${String(answer.status)[0]}XX`, 'default'].find((k) => k in listed);
    if (!key) {
      problems.push(`${where}: status not listed (${Object.keys(listed).join(', ')}) ${brief(answer)}`);
      return;
    }
    const response = resolve(doc, listed[key]!);
    for (const p of responseProblems(response, answer, validator)) problems.push(`${where}: ${p}`);
  };
  return {
    problems,
    seen,
    operations: paths.flatMap((p) => Object.values(p.methods).map((o) => o.id)),
    check,
    listen() {
      unsubscribe ??= onAnswer(check);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}

function pathEntries(doc: OpenApiDocument): PathEntry[] {
  return Object.entries(doc.paths).map(([template, item]) => {
    const source = template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+')
      // The contract also answers without the trailing slash.
      .replace(/\/$/, '/?');
    const methods: Record<string, Operation> = {};
    for (const verb of METHODS) {
      const op = item[verb];
      if (op) methods[verb] = { id: op.operationId, op };
    }
    return { template, pattern: new RegExp(`^${source}$`), methods };
  });
}

function resolve(
  doc: OpenApiDocument,
  response: OpenApiResponse,
): Exclude<OpenApiResponse, { $ref: string }> {
  if (!('$ref' in response)) return response;
  const name = response.$ref.replace('#/components/responses/', '');
  const target = doc.components.responses[name];
  if (!target) throw new Error(`unresolved ${response.$ref}`);
  return resolve(doc, target);
}

function responseProblems(
  response: Exclude<OpenApiResponse, { $ref: string }>,
  answer: Answer,
  validator: (schema: unknown) => ValidateFunction,
): string[] {
  const problems: string[] = [];
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    if ((header as { required?: boolean }).required && !answer.headers.has(name)) {
      problems.push(`required header ${name} missing`);
    }
  }
  const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    if (answer.body !== undefined) problems.push(`a body where the document declares none: ${brief(answer)}`);
    return problems;
  }
  const media = content[type];
  if (!media) {
    problems.push(
      `content type "${type}" not declared (${Object.keys(content).join(', ')}) ${brief(answer)}`,
    );
    return problems;
  }
  const validate = validator(media.schema);
  if (!validate(answer.body)) {
    problems.push(`body does not match: ${ajvErrors(validate)} ${brief(answer)}`);
  }
  return problems;
}

/** A method the path does not list: DRF's 405, with Allow naming exactly the listed methods. */
function notAllowedProblems(
  where: string,
  entry: PathEntry,
  answer: Answer,
  validator: (schema: unknown) => ValidateFunction,
): string[] {
  if (answer.status !== 405) return [`${where}: a method the document does not list must get 405`];
  const problems: string[] = [];
  const allow = (answer.headers.get('allow') ?? '')
    .split(',')
    .map((m) => m.trim().toLowerCase())
    .filter((m) => m && m !== 'head' && m !== 'options')
    .sort();
  const listed = Object.keys(entry.methods).sort();
  if (allow.join() !== listed.join())
    problems.push(`${where}: Allow ${allow.join()} but the document lists ${listed.join()}`);
  const validate = validator({ $ref: '#/components/schemas/Error' });
  if (!validate(answer.body)) problems.push(`${where}: body does not match Error: ${ajvErrors(validate)}`);
  return problems;
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
}

function brief(answer: Answer): string {
  const text = answer.body === undefined ? '(empty)' : JSON.stringify(answer.body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
