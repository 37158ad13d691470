/**
 * The deployment's configuration: every value a user sets comes from CDK context (`cdk.json`,
 * `-c key=value`) or the stack's props, and is validated here at synth, with an error that names
 * the bad key and value, so a typo fails `cdk synth` instead of a function at 3 am.
 */
import type { Node } from 'constructs';
import { z } from 'zod';
import { recipientsSchema } from '../lib/alerts/alert-event.ts';
import { templatesSchema } from '../lib/alerts/templates.ts';
import { PURGE_DEFAULTS } from '../lib/archive/defaults.ts';
import { E164_PATTERN } from '../lib/ringcentral/validation.ts';
import { fieldPath } from '../lib/validation/issues.ts';
import { DEFAULT_API_THROTTLE, DEFAULT_WEBHOOK_THROTTLE } from './api-throttle.ts';

const e164 = z.string().regex(E164_PATTERN, { error: 'must be an E.164 number' });

/** `rate(...)` or `cron(...)` as EventBridge Scheduler accepts them. */
const scheduleExpression = z
  .string()
  .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\((\S+ ){5}\S+\))$/, {
    error: 'must be rate(<n> minutes|hours|days) or cron(<6 fields>)',
  });

/**
 * An IAM role that may call the send endpoints. Only roles: an HTTP API has no resource policy,
 * so the only grant is an identity policy this stack attaches, which it can attach to a role of
 * the deploying account and to nothing else (a user is refused by the Control Tower controls).
 */
const callerRoleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
  error:
    'must be an IAM role ARN of the deploying account (arn:aws:iam::<account>:role/<name>); an IAM user or a caller in another account assumes such a role instead (docs/DEPLOY.md, "Callers in other accounts")',
});

/** The account id of an ARN (its fifth field). */
export function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** An SNS topic ARN: an existing topic that alarms publish to (e.g. one an on-call tool reads). */
const snsTopicArn = z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, {
  error: 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)',
});

const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/, {
  error: 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>)',
});

/** A deployment's stage: letters, digits and dashes, starting with a letter. */
const stageName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,24}$/, {
  error: 'must be 1-25 letters, digits or dashes, starting with a letter (e.g. prod, staging)',
});

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const days = (minimum: number, maximum: number) => z.number().int().min(minimum).max(maximum);

/** An API Gateway throttle (requests per second, burst), `defaults` where not configured. */
const throttle = (defaults: { rateLimit: number; burstLimit: number }) =>
  z
    .object({
      rateLimit: z.number().positive().max(10_000),
      burstLimit: z.number().int().positive().max(5_000),
    })
    .strict()
    .default(defaults);

/** The configuration schema; defaults are the documented ones (docs/DEPLOY.md). */
export const infraConfigSchema = z
  .object({
    /**
     * The deployment's stage: the stack is named `RingCentralMessageAutomation-<stage>`, so
     * several deployments (staging, prod) live in one account and region. Default: no suffix.
     */
    stage: stageName.optional(),
    /** The number send-sms and alerts send from (required: RingCentral has no default sender). */
    smsFrom: e164,
    /** Days to keep each message type in RingCentral after it is archived; absent = never purge. */
    retentionDays: z
      .object({
        Fax: days(1, 36_500).optional(),
        SMS: days(1, 36_500).optional(),
        VoiceMail: days(1, 36_500).optional(),
        Pager: days(1, 36_500).optional(),
      })
      .strict()
      .default({}),
    /**
     * The oldest creation time archive syncs and purge lists (ISO 8601): both must agree, since
     * nothing older is archived and so nothing older can be proven archived. Default: the
     * functions' own (ARCHIVE_DEFAULTS.startDate in lib/archive/defaults.ts).
     */
    archiveStartDate: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2021-06-01T00:00:00Z' })
      .optional(),
    /** Purge only reports what it would delete until this is set to false. */
    purgeDryRun: z.boolean().default(PURGE_DEFAULTS.dryRun),
    /** Delete with `purge=true` (skips RingCentral's 5-day Deleted state). */
    purgeHard: z.boolean().default(PURGE_DEFAULTS.hardPurge),
    /** How often each job runs. token-refresh is in minutes: its functions must agree with it. */
    schedules: z
      .object({
        tokenRefreshMinutes: z.number().int().min(5).max(44).default(30),
        /** The archive dispatcher (archive-dispatch): due extensions to the archive workers. */
        archive: scheduleExpression.default('rate(5 minutes)'),
        purge: scheduleExpression.default('cron(0 4 * * ? *)'),
        subscriptionKeeper: scheduleExpression.default('cron(30 3 * * ? *)'),
        /** Discovery of the account's extensions into the registry. */
        extensions: scheduleExpression.default('rate(1 hour)'),
        /**
         * Reconciliation of yesterday: from 03:15 UTC (the archive has had three hours past
         * midnight), hourly until the day's report is complete (later runs cost one S3 read).
         */
        reconcile: scheduleExpression.default('cron(15 3-23 * * ? *)'),
        /**
         * The account-wide export (archive-export): one message-store export of the whole
         * account since the last one. Its interval plus a run's time bounds the archive's lag.
         */
        archiveExport: scheduleExpression.default('rate(30 minutes)'),
      })
      .strict()
      .default({
        tokenRefreshMinutes: 30,
        archive: 'rate(5 minutes)',
        purge: 'cron(0 4 * * ? *)',
        subscriptionKeeper: 'cron(30 3 * * ? *)',
        extensions: 'rate(1 hour)',
        reconcile: 'cron(15 3-23 * * ? *)',
        archiveExport: 'rate(30 minutes)',
      }),
    /** IAM roles (of the deploying account) granted execute-api:Invoke on /sms, /fax, /pager. */
    allowedCallers: z
      .array(callerRoleArn)
      .superRefine((arns, context) => {
        const first = arns[0];
        arns.forEach((arn, index) => {
          if (first && accountOfArn(arn) !== accountOfArn(first)) {
            context.addIssue({
              code: 'custom',
              path: [index],
              message: `must be a role of the deploying account, as ${first} is: every caller role is in the one account the stack is deployed to`,
            });
          }
        });
      })
      .default([]),
    /** Who the alert function notifies. */
    alertRecipients: z._default(recipientsSchema, { sms: [], pager: [] }),
    /** The extension id alert pager messages are sent from; default the authorised user. */
    alertPagerFrom: z
      .string()
      .regex(/^\d{1,20}$/, { error: 'must be an extension id (digits)' })
      .optional(),
    /** Message templates of the alert function (lib/alerts/README.md). */
    alertTemplates: z._default(templatesSchema, {}),
    /** Object Lock in compliance mode: once set, archived objects cannot be deleted early. */
    objectLock: z
      .object({ enabled: z.boolean(), retentionDays: days(1, 36_500).default(365) })
      .strict()
      .default({ enabled: false, retentionDays: 365 }),
    /** A customer KMS key for the archive bucket; default the AWS-managed S3 key. */
    kmsKeyArn: kmsKeyArn.optional(),
    /**
     * The customer KMS key the imported credentials secret (credentialsSecretName) is encrypted
     * with; every function reading it may decrypt through Secrets Manager. Default: the secret
     * uses the AWS-managed key, which needs no grant.
     */
    credentialsKmsKeyArn: kmsKeyArn.optional(),
    /** Customer KMS keys of the fax document buckets; send-fax may decrypt through S3 only. */
    faxDocumentKmsKeyArns: z.array(kmsKeyArn).default([]),
    /** Move archived objects to colder classes after this many days. */
    archiveTransitions: z
      .object({
        infrequentAccessDays: days(30, 36_500).default(30),
        glacierDays: days(1, 36_500).default(90),
      })
      .strict()
      .refine((value) => value.glacierDays > value.infrequentAccessDays, {
        error: 'glacierDays must be after infrequentAccessDays',
        path: ['glacierDays'],
      })
      .default({ infrequentAccessDays: 30, glacierDays: 90 }),
    /** Where RingCentral delivers webhooks; default this stack's `/webhook` route. */
    webhookUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
    /** Put the text of inbound SMS into webhook events (default: summaries only). */
    webhookIncludeText: z.boolean().default(false),
    /** Import an existing credentials secret by name instead of creating one. */
    credentialsSecretName: z
      .string()
      .regex(/^[\w/+=.@-]{1,512}$/, { error: 'must be a Secrets Manager secret name' })
      .optional(),
    /** Buckets send-fax may read documents from. */
    faxDocumentBuckets: z
      .array(
        z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a bucket name' }),
      )
      .default([]),
    /** HTTP API stage throttling (requests per second, burst). */
    apiThrottle: throttle({ ...DEFAULT_API_THROTTLE }),
    /**
     * Throttling of POST /webhook on its own (requests per second, burst): RingCentral's
     * deliveries, and nothing else, reach the open route.
     */
    webhookThrottle: throttle({ ...DEFAULT_WEBHOOK_THROTTLE }),
    /** Days of function and access logs. */
    logRetentionDays: z
      .number()
      .refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
        error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365),
    /** Email addresses subscribed to the alarm topic. */
    alarmEmails: z.array(z.email({ error: 'must be an email address' })).default([]),
    /** An existing SNS topic every alarm also publishes to (a pager or chat integration). */
    alarmTopicArn: snsTopicArn.optional(),
    /**
     * Alarm (and the `Archive Behind` event naming the extensions) when any archived extension's
     * last complete archive is older than this, or no dispatch succeeded for this long.
     */
    archiveLagAlarmMinutes: z.number().int().min(15).max(1_440).default(60),
  })
  .strict();

/** The raw configuration as written by a user. */
export type InfraConfigInput = z.input<typeof infraConfigSchema>;
/** The validated configuration with defaults applied. */
export type InfraConfig = z.output<typeof infraConfigSchema>;

/** The configuration keys; each is also a context key. */
export const CONFIG_KEYS = Object.keys(infraConfigSchema.def.shape ?? {}) as string[];

/** Raised at synth when a configuration value is unusable; the message names key and value. */
export class InfraConfigError extends Error {
  override name = 'InfraConfigError';
  /** The dotted path of the bad value, e.g. `retentionDays.Fax`. */
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.key = key;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * Keys without a default, with an example: there is deliberately no default sender, since an
 * example number deployed by mistake would send from a number that is not the user's.
 */
const REQUIRED_KEY_EXAMPLES: Record<string, { example: string; meaning: string }> = {
  smsFrom: {
    example: '+16505550100',
    meaning: 'the E.164 number of your RingCentral account that send-sms and alert SMS send from',
  },
};

/** How to set a required key that is missing: on the command line or in cdk.json. */
function missingKeyHelp(key: string): string | undefined {
  const required = REQUIRED_KEY_EXAMPLES[key];
  if (!required) return undefined;
  return (
    `Missing configuration: ${key} is not set (${required.meaning}). ` +
    `Set it for one command with \`npx cdk synth -c ${key}=${required.example}\` ` +
    `(the same -c for cdk deploy), or for good in cdk.json: "context": { "${key}": "${required.example}" } ` +
    '(docs/DEPLOY.md lists every key).'
  );
}

/**
 * Alarms that reach nobody are worse than none: they look like monitoring. A deployment names at
 * least one human destination, or synth stops saying which keys would give one.
 */
function requireAlarmDestination(config: InfraConfig): InfraConfig {
  if (config.alarmEmails.length > 0 || config.alarmTopicArn) return config;
  throw new InfraConfigError(
    'alarmEmails',
    'Missing configuration: no alarm destination, so no alarm would reach a person. ' +
      'Set alarmEmails (addresses that confirm an SNS subscription), e.g. ' +
      `\`npx cdk synth -c 'alarmEmails=["ops@example.com"]'\`, ` +
      'or alarmTopicArn (an existing SNS topic your on-call tool reads), e.g. ' +
      '`-c alarmTopicArn=arn:aws:sns:us-east-1:123456789012:on-call`, ' +
      'or both, in cdk.json "context" for good (docs/DEPLOY.md lists every key).',
  );
}

/** A key for the credentials secret only means something for a secret this stack imports. */
function requireImportedSecretForKey(config: InfraConfig): InfraConfig {
  if (!config.credentialsKmsKeyArn || config.credentialsSecretName) return config;
  throw new InfraConfigError(
    'credentialsKmsKeyArn',
    `Invalid configuration: credentialsKmsKeyArn = ${JSON.stringify(config.credentialsKmsKeyArn)}: ` +
      'set credentialsSecretName too; the secret this stack creates uses the AWS-managed key.',
  );
}

/** Validates raw configuration; throws {@link InfraConfigError} naming the first bad value. */
export function parseInfraConfig(input: Record<string, unknown>): InfraConfig {
  const result = infraConfigSchema.safeParse(input);
  if (result.success) return requireImportedSecretForKey(requireAlarmDestination(result.data));
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const key = fieldPath(path) || '(configuration)';
  const value = valueAt(input, path);
  const help = value === undefined ? missingKeyHelp(key) : undefined;
  if (help) throw new InfraConfigError(key, help, { cause: result.error });
  const shown = value === undefined ? 'is not set' : `= ${JSON.stringify(value)}`;
  throw new InfraConfigError(
    key,
    `Invalid configuration: ${key} ${shown}: ${issue?.message ?? 'invalid'}`,
    { cause: result.error },
  );
}

/**
 * Context values given with `-c key=value` arrive as strings: a string the key accepts as it is
 * stays a string (so `-c alertPagerFrom=62000009` keeps an id exact instead of making it a
 * number); otherwise JSON is parsed (objects, arrays, numbers, booleans).
 */
function fromContextString(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const schema = infraConfigSchema.shape[key as keyof typeof infraConfigSchema.shape];
  if (schema?.safeParse(value).success) return value;
  const trimmed = value.trim();
  if (!/^[[{"]|^-?\d+(\.\d+)?$|^(true|false|null)$/.test(trimmed)) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
  // A wrong structure is reported inside it (`objectLock.enabled = "yes"`); a wrong scalar is
  // reported as the user typed it (`smsFrom = "6505550100"`, not a number they never wrote).
  const structured = parsed !== null && typeof parsed === 'object';
  return structured || schema?.safeParse(parsed).success ? parsed : value;
}

/** Reads every configuration key from context; props override context key by key. */
export function readInfraConfig(node: Node, props: Partial<InfraConfigInput> = {}): InfraConfig {
  const input: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const fromProps = (props as Record<string, unknown>)[key];
    const value =
      fromProps !== undefined ? fromProps : fromContextString(key, node.tryGetContext(key));
    if (value !== undefined) input[key] = value;
  }
  return parseInfraConfig(input);
}

/** The stack's name without a stage (what a deployment made before stages keeps). */
export const BASE_STACK_NAME = 'RingCentralMessageAutomation';

/**
 * The stack's name for the `stage` of context (`-c stage=prod` -> `RingCentralMessageAutomation-prod`),
 * read before the stack exists; throws {@link InfraConfigError} naming a bad stage.
 */
export function stackNameFor(node: Node): string {
  const stage = node.tryGetContext('stage') as unknown;
  if (stage === undefined) return BASE_STACK_NAME;
  const parsed = stageName.safeParse(stage);
  if (!parsed.success) {
    throw new InfraConfigError(
      'stage',
      `Invalid configuration: stage = ${JSON.stringify(stage)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return `${BASE_STACK_NAME}-${parsed.data}`;
}
