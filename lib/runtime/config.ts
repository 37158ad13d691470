import { E164_PATTERN } from '../ringcentral/validation.ts';
import * as z from '../validation/zod.ts';

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
export function loadConfig<T extends z.ZodMiniObject>(
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

const requiredString = z.string().check(z.trim(), z.minLength(1));

const optionalString = z.pipe(
  z.transform(blankAsUndefined),
  z.optional(z.string().check(z.trim(), z.minLength(1))),
);

const positiveInt = z.pipe(
  z.transform(blankAsUndefined),
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d+$/, 'must be a positive integer')), z.transform(Number)),
    z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
  ),
);

const list = z.pipe(
  z.string(),
  z.transform((value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
);

const json = z.pipe(
  z.string(),
  z.transform((value: string, context): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.issues.push({ code: 'custom', message: 'must be valid JSON', input: value });
      return z.NEVER;
    }
  }),
);

const url = z.url({ protocol: /^https?$/ });

const e164 = z
  .string()
  .check(z.regex(E164_PATTERN, 'must be an E.164 number such as +16505550100'));

const BOOLEAN_WORDS = ['true', 'false', '1', '0', 'yes', 'no'] as const;

const boolean = z.pipe(
  z.transform(blankAsUndefined),
  z.pipe(
    z.enum(BOOLEAN_WORDS, { message: 'must be true or false' }),
    z.transform(
      (value: (typeof BOOLEAN_WORDS)[number]) =>
        value === 'true' || value === '1' || value === 'yes',
    ),
  ),
);

/**
 * Reusable zod pieces for environment schemas. Each is a schema from the raw string; wrap it in
 * `z._default()` or `z.pipe()` as needed, e.g. `z.pipe(env.json, recipientsSchema)`,
 * `env.listOf(e164)`, `z._default(env.positiveInt, 30)`.
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
  /** A phone number in E.164 form as RingCentral accepts it (e.g. a sending number). */
  phoneNumber: z.pipe(requiredString, e164),
  /** A phone number in E.164 form, or undefined when unset or blank. */
  optionalPhoneNumber: z.pipe(optionalString, z.optional(e164)),
  /** A comma-separated list whose items must match `item`. */
  listOf<T extends z.ZodMiniType<unknown, string>>(item: T) {
    return z.pipe(list, z.array(item));
  },
  /** JSON text whose parsed value must match `schema`. */
  jsonOf<T extends z.ZodMiniType>(schema: T) {
    return z.pipe(json, schema);
  },
};
