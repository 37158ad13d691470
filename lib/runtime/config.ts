import { z } from 'zod';

/** The environment is missing a variable or holds an invalid one; the message names it, never its value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, problem: string, options?: { cause?: unknown }) {
    super(`Environment variable ${variable} ${problem}`, options);
    this.variable = variable;
  }
}

/**
 * Validates the environment once. Call it at module top level so that a bad deployment fails the
 * cold start with an error naming the variable instead of failing every request later.
 */
export function loadConfig<T extends z.ZodObject>(
  schema: T,
  environment: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const result = schema.safeParse(environment);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? '(unknown)');
  const missing = (environment[variable] ?? '').trim() === '';
  // The issue message, not the input: a variable may hold a secret.
  const problem = missing
    ? 'is required but not set'
    : `is invalid: ${issue?.message ?? 'invalid'}`;
  throw new ConfigError(variable, problem, { cause: result.error });
}

/** Unset and empty both mean "not configured". */
const blankAsUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const requiredString = z.string().trim().min(1);

const optionalString = z.preprocess(blankAsUndefined, z.string().trim().min(1).optional());

const positiveInt = z.preprocess(
  blankAsUndefined,
  z
    .string()
    .regex(/^\d+$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
);

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

const json = z.string().transform((value, context): unknown => {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'must be valid JSON' });
    return z.NEVER;
  }
});

const url = z.url({ protocol: /^https?$/ });

const boolean = z.preprocess(
  blankAsUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes'),
);

/**
 * Reusable zod pieces for environment schemas. Each is a schema from the raw string; chain
 * `.default()` or `.pipe()` as needed, e.g. `env.json.pipe(recipientsSchema)`,
 * `env.list.pipe(z.array(e164))`, `env.positiveInt.default(30)`.
 */
export const env = {
  /** A non-blank string (trimmed). */
  requiredString,
  /** A non-blank string, or undefined when unset or blank. */
  optionalString,
  /** A positive integer written in decimal. */
  positiveInt,
  /** A comma-separated list; blanks dropped. */
  list,
  /** JSON text, parsed; pipe into a schema for its shape. */
  json,
  /** An http(s) URL. */
  url,
  /** true/false, 1/0, yes/no. */
  boolean,
  /** A comma-separated list whose items must match `item`. */
  listOf<T extends z.ZodType<unknown, string>>(item: T) {
    return list.pipe(z.array(item));
  },
  /** JSON text whose parsed value must match `schema`. */
  jsonOf<T extends z.ZodType>(schema: T) {
    return json.pipe(schema);
  },
};
