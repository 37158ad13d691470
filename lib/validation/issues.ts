/**
 * The one way this project words a validation failure, wherever it is shown (an HTTP problem's
 * `errors`, a CLI's line, a function's log, a deploy-time configuration error): the field as
 * `to[0].phoneNumber`, and a message a caller can act on. Values are never echoed: a field may
 * hold a phone number, a token or message text.
 */
import type { $ZodError } from './zod.ts';

type Issue = $ZodError['issues'][number];

/** One field-level fault: where, and what to do about it. */
export interface FieldIssue {
  /** `to[0].phoneNumber`; the value's own name (`(body)`) when the value as a whole is wrong. */
  field: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `to[0].phoneNumber` for the path `['to', 0, 'phoneNumber']`: indexes in brackets, names after
 * a dot, and a name that is no identifier (a header, a map key) as `["x-key"]`. `root` goes first
 * (`detail.to[0]`); an empty path with no root is `''`.
 */
export function fieldPath(path: readonly PropertyKey[], root = ''): string {
  let text = root;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** zod words a missing field as the wrong type (`expected string, received undefined`). */
function isMissing(issue: Issue): boolean {
  return issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
}

/** The issue's message, with a missing field said as "is required". */
export function issueMessage(issue: Issue): string {
  return isMissing(issue) ? 'is required' : issue.message;
}

/** Where a path starts, and what the value itself is called. */
export interface IssueOptions {
  /** Prefix of every path (`detail`), as the reader knows the value. */
  root?: string;
  /** The value's own name when the issue is about it as a whole; default `(value)`. */
  whole?: string;
}

/**
 * The field issues of a zod error, in its order. A value of the wrong type gets that one issue:
 * the checks zod still ran on it (a string's length read as a list's, "allows at most 10
 * recipients") describe a value the caller did not mean to send.
 */
export function fieldIssues(error: $ZodError, options: IssueOptions = {}): FieldIssue[] {
  const wrongType = new Set(
    error.issues.filter((issue) => issue.code === 'invalid_type').map((issue) => key(issue)),
  );
  return error.issues
    .filter((issue) => issue.code === 'invalid_type' || !wrongType.has(key(issue)))
    .map((issue) => ({
      field: fieldPath(issue.path, options.root) || (options.whole ?? '(value)'),
      message: issueMessage(issue),
    }));
}

function key(issue: Issue): string {
  return fieldPath(issue.path);
}

/** `to[0]: must be an E.164 phone number ...; text: is required`: at most `limit` (10), one line. */
export function describeIssues(
  error: $ZodError,
  options: IssueOptions & { limit?: number } = {},
): string {
  return fieldIssues(error, options)
    .slice(0, options.limit ?? 10)
    .map(({ field, message }) => `${field}: ${message}`)
    .join('; ');
}
