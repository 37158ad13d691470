/**
 * The events the alert function accepts, as zod schemas (the README documents them from here):
 * - detail-type `Alert` on the project's bus: an alert raised by any of our services;
 * - detail-type `CloudWatch Alarm State Change` from `aws.cloudwatch`.
 * Both are reduced to one `AlertNotice` the templates render.
 */
import { E164_PATTERN } from '../ringcentral/validation.ts';
import { fieldPath, issueMessage } from '../validation/issues.ts';
import * as z from '../validation/zod.ts';

/** The project's own alert detail-type. */
export const ALERT_DETAIL_TYPE = 'Alert';
/** CloudWatch's detail-type for alarm transitions. */
export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';

/** Severities, most urgent first. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
/** How urgent an alert is. */
export type Severity = (typeof SEVERITIES)[number];

/** The channels an alert can go out on. */
export const CHANNELS = ['sms', 'pager'] as const;
/** A delivery channel. */
export type Channel = (typeof CHANNELS)[number];

const e164 = z.string().check(z.regex(E164_PATTERN, { error: 'must be an E.164 phone number' }));

/** A pager recipient: an extension id (digits), or `{ extensionId }` / `{ extensionNumber }`. */
export const pagerRecipientSchema = z.union([
  z.string().check(z.regex(/^\d{1,20}$/, { error: 'must be an extension id (digits)' })),
  z.strictObject({ extensionId: z.string().check(z.regex(/^\d{1,20}$/)) }),
  z.strictObject({ extensionNumber: z.string().check(z.regex(/^\d{1,10}$/)) }),
]);

/** Who receives alerts: SMS numbers and pager extensions. */
export const recipientsSchema = z.strictObject({
  sms: z._default(z.array(e164).check(z.maxLength(50)), []),
  pager: z._default(z.array(pagerRecipientSchema).check(z.maxLength(50)), []),
});
/** Who receives alerts (parsed). */
export type Recipients = z.infer<typeof recipientsSchema>;

/** Non-blank text (trimmed) of at most `max` characters. */
const trimmedText = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/**
 * The `Alert` detail. `title` and `message` are required; the rest is optional:
 * `channels` limits the channels, `recipients` replaces the configured recipients,
 * `template` picks a named template from ALERT_TEMPLATES, `fields` adds placeholders.
 */
export const alertDetailSchema = z.strictObject({
  severity: z._default(z.enum(SEVERITIES), 'error'),
  title: trimmedText(200),
  message: trimmedText(2000),
  source: z.optional(trimmedText(200)),
  channels: z.optional(z.array(z.enum(CHANNELS)).check(z.minLength(1), z.maxLength(2))),
  recipients: z.optional(z.partial(recipientsSchema)),
  template: z.optional(z.string().check(z.regex(/^[\w-]{1,64}$/))),
  fields: z.optional(
    z.record(
      z.string().check(z.regex(/^\w{1,64}$/)),
      z.union([z.string().check(z.maxLength(500)), z.number(), z.boolean()]),
    ),
  ),
});
/** The `Alert` detail (parsed). */
export type AlertDetail = z.infer<typeof alertDetailSchema>;

const alarmStateSchema = z.looseObject({
  value: z.string().check(z.minLength(1), z.maxLength(50)),
  reason: z._default(z.string().check(z.maxLength(2000)), ''),
  timestamp: z.optional(z.string().check(z.maxLength(100))),
});

/** The parts of CloudWatch's alarm state change detail the templates use. */
export const alarmDetailSchema = z.looseObject({
  alarmName: z.string().check(z.minLength(1), z.maxLength(255)),
  state: alarmStateSchema,
  previousState: z.optional(alarmStateSchema),
  configuration: z.optional(
    z.looseObject({ description: z.optional(z.string().check(z.maxLength(1024))) }),
  ),
});
/** CloudWatch's alarm detail (parsed). */
export type AlarmDetail = z.infer<typeof alarmDetailSchema>;

/** An event that can be rendered: what the templates see, whatever the source event was. */
export interface AlertNotice {
  /** The EventBridge event id: alerts go out once per id. */
  eventId: string;
  kind: 'alert' | 'alarm';
  severity: Severity;
  /** The template to use, by name; defaults to the kind. */
  template: string;
  channels?: Channel[];
  recipients?: Partial<Recipients>;
  /** Placeholder values, all strings. */
  values: Record<string, string>;
}

/** An event the alert function cannot handle; `reason` says why (it ends up in the DLQ). */
export class InvalidAlertEventError extends Error {
  override name = 'InvalidAlertEventError';
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Invalid alert event: ${reason}`, options);
    this.reason = reason;
  }
}

/**
 * An EventBridge event, field for field Powertools' `EventBridgeSchema`, written on the project's
 * zod/mini: Powertools' schema is built on the classic zod namespace, which would put all of zod
 * (with every locale, about 440 KiB) into the alert bundle for this one envelope.
 */
export const eventBridgeEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});

/** The EventBridge envelope fields this module needs (`eventBridgeEventSchema`'s output). */
export interface EventEnvelope {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  region?: string;
  account?: string;
  detail: unknown;
}

function reasonOf(error: z.$ZodError): string {
  const issue = error.issues[0];
  const path = fieldPath(issue?.path ?? [], 'detail');
  return `${path}: ${issue ? issueMessage(issue) : 'invalid'}`;
}

const ALARM_SEVERITY: Record<string, Severity> = {
  ALARM: 'critical',
  INSUFFICIENT_DATA: 'warning',
  OK: 'info',
};

/**
 * Turns an EventBridge event into a notice. Throws InvalidAlertEventError for an unknown
 * detail-type or a detail that does not match its schema (the message names the field).
 */
export function toAlertNotice(event: EventEnvelope): AlertNotice {
  const common = { time: event.time, source: event.source, region: event.region ?? '' };
  if (event['detail-type'] === ALERT_DETAIL_TYPE) {
    const parsed = alertDetailSchema.safeParse(event.detail);
    if (!parsed.success) throw new InvalidAlertEventError(reasonOf(parsed.error));
    const detail = parsed.data;
    const fields = Object.fromEntries(
      Object.entries(detail.fields ?? {}).map(([key, value]) => [key, String(value)]),
    );
    return {
      eventId: event.id,
      kind: 'alert',
      severity: detail.severity,
      template: detail.template ?? 'alert',
      ...(detail.channels ? { channels: detail.channels } : {}),
      ...(detail.recipients ? { recipients: detail.recipients } : {}),
      values: {
        ...fields,
        ...common,
        source: detail.source ?? event.source,
        severity: detail.severity,
        SEVERITY: detail.severity.toUpperCase(),
        title: detail.title,
        message: detail.message,
      },
    };
  }
  if (event['detail-type'] === ALARM_DETAIL_TYPE) {
    const parsed = alarmDetailSchema.safeParse(event.detail);
    if (!parsed.success) throw new InvalidAlertEventError(reasonOf(parsed.error));
    const detail = parsed.data;
    const severity = ALARM_SEVERITY[detail.state.value] ?? 'warning';
    return {
      eventId: event.id,
      kind: 'alarm',
      severity,
      template: 'alarm',
      values: {
        ...common,
        severity,
        SEVERITY: severity.toUpperCase(),
        alarmName: detail.alarmName,
        title: detail.alarmName,
        state: detail.state.value,
        previousState: detail.previousState?.value ?? '',
        reason: detail.state.reason,
        message: detail.state.reason,
        description: detail.configuration?.description ?? '',
      },
    };
  }
  throw new InvalidAlertEventError(
    `unsupported detail-type "${event['detail-type'].slice(0, 100)}"`,
  );
}
