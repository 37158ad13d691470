/**
 * RingCentral webhook deliveries: the envelope `{uuid, event, timestamp, subscriptionId,
 * ownerId, body}` and the summaries the webhook publishes. Summaries never carry message text
 * (subjects) unless asked to, so the event bus does not become a copy of the message store.
 */
import { parseJson } from '../ringcentral/index.ts';
import { fieldPath } from '../validation/issues.ts';
import * as z from '../validation/zod.ts';

/** Ids arrive as JSON numbers (int64) or strings; `parseJson` already turned them into strings. */
const id = z.pipe(
  z.union([z.string().check(z.regex(/^\d{1,20}$/)), z.int().check(z.nonnegative())]),
  z.transform(String),
);

/** A string of at most `max` characters. */
const upTo = (max: number) => z.string().check(z.maxLength(max));
/** A non-empty string of at most `max` characters. */
const nonEmptyUpTo = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const count = z.int().check(z.nonnegative());

const envelopeSchema = z.object({
  uuid: nonEmptyUpTo(200),
  event: nonEmptyUpTo(2000),
  timestamp: z.optional(upTo(100)),
  subscriptionId: nonEmptyUpTo(200),
  ownerId: z.optional(id),
  body: z.unknown(),
});

const changeSchema = z.object({
  type: upTo(50),
  newCount: z.optional(count),
  updatedCount: z.optional(count),
  newMessageIds: z.optional(z.array(id).check(z.maxLength(10_000))),
});

const messageStoreBodySchema = z.object({
  extensionId: id,
  lastUpdated: z.optional(upTo(100)),
  changes: z._default(z.array(changeSchema).check(z.maxLength(100)), []),
});

const party = z.looseObject({
  phoneNumber: z.optional(upTo(50)),
  extensionNumber: z.optional(upTo(50)),
  extensionId: z.optional(id),
});

const instantBodySchema = z.looseObject({
  id,
  type: z.optional(upTo(50)),
  direction: z.optional(upTo(50)),
  from: z.optional(party),
  to: z.optional(z.array(party).check(z.maxLength(1000))),
  creationTime: z.optional(upTo(100)),
  messageStatus: z.optional(upTo(50)),
  conversationId: z.optional(id),
  subject: z.optional(z.string()),
});

/** The EventBridge detail-types the webhook publishes (source: the configured event source). */
export const NotificationDetailType = {
  messageStoreChange: 'RingCentral Message Store Change',
  instantMessage: 'RingCentral Instant Message',
  other: 'RingCentral Notification',
} as const;

/** Fields every summary carries. */
export interface NotificationHeader {
  notificationId: string;
  subscriptionId: string;
  event: string;
  timestamp?: string;
}

/** One changed message type of a message-store event; ids as strings. */
export interface MessageStoreChangeSummary {
  type: string;
  newCount: number;
  updatedCount: number;
  newMessageIds: string[];
}

/** The parsed delivery, classified, ready to publish. */
export type Notification =
  | {
      kind: 'message-store';
      detailType: typeof NotificationDetailType.messageStoreChange;
      detail: NotificationHeader & {
        extensionId: string;
        lastUpdated?: string;
        changes: MessageStoreChangeSummary[];
      };
    }
  | {
      kind: 'instant-message';
      detailType: typeof NotificationDetailType.instantMessage;
      detail: NotificationHeader & {
        extensionId?: string;
        message: {
          id: string;
          type?: string;
          direction?: string;
          from?: string;
          to: string[];
          creationTime?: string;
          messageStatus?: string;
          conversationId?: string;
          subject?: string;
        };
      };
    }
  | {
      kind: 'other';
      detailType: typeof NotificationDetailType.other;
      detail: NotificationHeader;
    };

/** A delivery body that is not a RingCentral notification; `reason` names the field. */
export class InvalidNotificationError extends Error {
  override name = 'InvalidNotificationError';
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.field = field;
  }
}

/** What summaries include. */
export interface SummaryOptions {
  /** Include the message subject (its text) in instant-message summaries; default false. */
  includeText?: boolean;
}

const MESSAGE_STORE_EVENT =
  /^\/restapi\/v1\.0\/account\/([^/?]+)\/extension\/([^/?]+)\/message-store(\/instant)?(\?.*)?$/;

function fail(error: z.$ZodError, prefix: string): never {
  const issue = error.issues[0];
  const field = fieldPath(issue?.path ?? [], prefix);
  throw new InvalidNotificationError(field || '(body)', `${field || 'body'}: ${issue?.message}`, {
    cause: error,
  });
}

/**
 * Parses a delivery body (JSON text) into a classified summary. Ids stay exact strings.
 * Throws InvalidNotificationError for anything that is not a well-formed notification.
 */
export function parseNotification(text: string, options: SummaryOptions = {}): Notification {
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch (error) {
    throw new InvalidNotificationError('(body)', 'The body is not JSON', { cause: error });
  }
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) fail(envelope.error, '');
  const { uuid, event, timestamp, subscriptionId, body } = envelope.data;
  const header: NotificationHeader = {
    notificationId: uuid,
    subscriptionId,
    event,
    ...(timestamp === undefined ? {} : { timestamp }),
  };
  const path = MESSAGE_STORE_EVENT.exec(event);
  if (path && !path[3]) {
    const parsed = messageStoreBodySchema.safeParse(body);
    if (!parsed.success) fail(parsed.error, 'body');
    return {
      kind: 'message-store',
      detailType: NotificationDetailType.messageStoreChange,
      detail: {
        ...header,
        extensionId: parsed.data.extensionId,
        ...(parsed.data.lastUpdated === undefined ? {} : { lastUpdated: parsed.data.lastUpdated }),
        changes: parsed.data.changes.map((change) => ({
          type: change.type,
          newCount: change.newCount ?? change.newMessageIds?.length ?? 0,
          updatedCount: change.updatedCount ?? 0,
          newMessageIds: change.newMessageIds ?? [],
        })),
      },
    };
  }
  if (path?.[3]) {
    const parsed = instantBodySchema.safeParse(body);
    if (!parsed.success) fail(parsed.error, 'body');
    const message = parsed.data;
    const address = (p: z.infer<typeof party>) =>
      p.phoneNumber ?? p.extensionNumber ?? p.extensionId ?? '';
    const extensionId = path[2] && /^\d+$/.test(path[2]) ? path[2] : undefined;
    return {
      kind: 'instant-message',
      detailType: NotificationDetailType.instantMessage,
      detail: {
        ...header,
        ...(extensionId === undefined ? {} : { extensionId }),
        message: {
          id: message.id,
          ...(message.type === undefined ? {} : { type: message.type }),
          ...(message.direction === undefined ? {} : { direction: message.direction }),
          ...(message.from === undefined ? {} : { from: address(message.from) }),
          to: (message.to ?? []).map(address),
          ...(message.creationTime === undefined ? {} : { creationTime: message.creationTime }),
          ...(message.messageStatus === undefined ? {} : { messageStatus: message.messageStatus }),
          ...(message.conversationId === undefined
            ? {}
            : { conversationId: message.conversationId }),
          ...(options.includeText && message.subject !== undefined
            ? { subject: message.subject }
            : {}),
        },
      },
    };
  }
  return { kind: 'other', detailType: NotificationDetailType.other, detail: header };
}

/** The archive function's payload: new message ids of one extension. */
export interface ArchiveRequest {
  extensionId: string;
  messageIds: string[];
}

/** The archive hand-off for a notification: new message ids, deduplicated; none for other kinds. */
export function archiveRequestOf(notification: Notification): ArchiveRequest | undefined {
  if (notification.kind !== 'message-store') return undefined;
  const ids = new Set(notification.detail.changes.flatMap((change) => change.newMessageIds));
  if (ids.size === 0) return undefined;
  return { extensionId: notification.detail.extensionId, messageIds: [...ids] };
}
