import type { z } from 'zod';
import { ValidationError } from '../core/errors.js';

/**
 * Validates a request body against a zod object schema and returns it typed, or throws a 400
 * with DRF's field-error body (`{"username": ["This field is required."]}`), so clients written
 * for DRF serializers read our errors unchanged. The same schemas feed the OpenAPI document.
 */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined || body === null) body = {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    const got = Array.isArray(body) ? 'list' : typeof body === 'string' ? 'str' : typeof body;
    throw new ValidationError({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : 'non_field_errors';
    if (!fields[key]) fields[key] = [];
    fields[key].push(drfMessage(issue, (body as Record<string, unknown>)[String(issue.path[0])]));
  }
  throw new ValidationError(fields);
}

function drfMessage(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'This field is required.';
      if (input === null) return 'This field may not be null.';
      if (issue.expected === 'string') return 'Not a valid string.';
      if (issue.expected === 'number' || issue.expected === 'int') return 'A valid integer is required.';
      if (issue.expected === 'boolean') return 'Must be a valid boolean.';
      if (issue.expected === 'array') return `Expected a list of items but got type "${typeof input}".`;
      return issue.message;
    case 'too_small':
      if (issue.origin === 'string') {
        return issue.minimum === 1
          ? 'This field may not be blank.'
          : `Ensure this field has at least ${issue.minimum} characters.`;
      }
      return issue.message;
    case 'too_big':
      if (issue.origin === 'string') return `Ensure this field has no more than ${issue.maximum} characters.`;
      return issue.message;
    default:
      return issue.message;
  }
}
