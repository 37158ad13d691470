/**
 * The archive's S3 key layout. Keys are pure functions of the record (invariant 3): archiving a
 * message twice writes the same objects under the same keys.
 *
 * ```
 * archive/{accountId}/{extensionId}/{yyyy}/{mm}/{dd}/{messageId}/message.json
 * archive/{accountId}/{extensionId}/{yyyy}/{mm}/{dd}/{messageId}/attachments/{attachmentId}{.ext}
 * reports/purge/{yyyy}/{mm}/{dd}/{runId}.json
 * custody/{accountId}/{yyyy}/{mm}/{dd}/{runId}.json
 * ```
 *
 * - The date is the message's `creationTime` in UTC.
 * - `accountId` and `extensionId` are the real ids from the record (its `uri`, `extensionId`),
 *   never `~`.
 * - `.ext` comes from the attachment's `fileName` when it has a plain extension, else from its
 *   `contentType`; none when neither says.
 * - A deleted or purged record comes back from ISync with only `id` and `availability`; its
 *   locator in the state table (`lib/aws/locator-store.ts`) finds the archived copy to mark
 *   without a RingCentral request.
 */
import type { MessageAttachment, MessageRecord } from '../ringcentral/types.ts';

/** Root prefix of every archived message. */
export const ARCHIVE_PREFIX = 'archive/';
/** Root prefix of purge reports. */
export const PURGE_REPORT_PREFIX = 'reports/purge/';

/** Root prefix of the custody manifests (custody.ts). */
export const CUSTODY_PREFIX = 'custody/';

/** Thrown when a record lacks what its key is made of (account, extension, date, id). */
export class ArchiveLayoutError extends Error {
  override readonly name = 'ArchiveLayoutError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The parts of a message's key. */
export interface MessageLocation {
  accountId: string;
  extensionId: string;
  /** The message's creationTime. */
  creationTime: string;
  messageId: string;
}

const ID_PATTERN = /^[0-9A-Za-z_-]{1,64}$/;

function assertIdPart(value: string | undefined, what: string): string {
  if (value === undefined || value === '~' || !ID_PATTERN.test(value)) {
    throw new ArchiveLayoutError(`Cannot build an archive key: ${what} is ${String(value)}`);
  }
  return value;
}

function idFromUri(uri: string | undefined, segment: 'account' | 'extension'): string | undefined {
  if (!uri) return undefined;
  const match = new RegExp(`/${segment}/([^/?#]+)`).exec(uri);
  const id = match?.[1];
  return id === undefined || id === '~' ? undefined : decodeURIComponent(id);
}

/**
 * Where a record belongs: account from its `uri` (or an attachment's), extension from
 * `extensionId` (or the uri), date from `creationTime`. Throws {@link ArchiveLayoutError} when a
 * part is missing, e.g. for the id-only records ISync returns for deleted messages.
 */
export function messageLocation(record: MessageRecord): MessageLocation {
  const uris = [record.uri, ...(record.attachments ?? []).map((attachment) => attachment.uri)];
  const accountId = uris.map((uri) => idFromUri(uri, 'account')).find((id) => id !== undefined);
  const extensionId =
    record.extensionId ??
    record.owner?.extensionId ??
    uris.map((uri) => idFromUri(uri, 'extension')).find((id) => id !== undefined);
  const creationTime = record.creationTime;
  if (creationTime === undefined || Number.isNaN(Date.parse(creationTime))) {
    throw new ArchiveLayoutError(`Message ${record.id} has no valid creationTime`);
  }
  return {
    accountId: assertIdPart(accountId, `the account id of message ${record.id}`),
    extensionId: assertIdPart(extensionId, `the extension id of message ${record.id}`),
    creationTime,
    messageId: assertIdPart(record.id, 'the message id'),
  };
}

function utcDatePath(time: string | Date): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) throw new ArchiveLayoutError(`Invalid date: ${String(time)}`);
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(date.getUTCDate()).padStart(2, '0');
  return `${yyyy}/${mm}/${dd}`;
}

function isLocation(value: MessageLocation | MessageRecord): value is MessageLocation {
  return typeof (value as Partial<MessageLocation>).messageId === 'string';
}

/** `archive/{accountId}/{extensionId}/{yyyy}/{mm}/{dd}/{messageId}/`: everything of one message. */
export function messagePrefix(location: MessageLocation | MessageRecord): string {
  const parts = isLocation(location) ? location : messageLocation(location);
  const accountId = assertIdPart(parts.accountId, 'the account id');
  const extensionId = assertIdPart(parts.extensionId, 'the extension id');
  const messageId = assertIdPart(parts.messageId, 'the message id');
  return `${ARCHIVE_PREFIX}${accountId}/${extensionId}/${utcDatePath(parts.creationTime)}/${messageId}/`;
}

/** The key of a message's `message.json`. */
export function messageKey(record: MessageRecord | MessageLocation): string {
  return `${messagePrefix(record)}message.json`;
}

const CONTENT_TYPE_EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'application/json': '.json',
  'application/msword': '.doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/rtf': '.rtf',
  'application/zip': '.zip',
  'audio/mpeg': '.mp3',
  'audio/mp3': '.mp3',
  'audio/wav': '.wav',
  'audio/x-wav': '.wav',
  'audio/ogg': '.ogg',
  'audio/mp4': '.m4a',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/bmp': '.bmp',
  'image/tiff': '.tiff',
  'image/webp': '.webp',
  'image/heic': '.heic',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/csv': '.csv',
  'text/vcard': '.vcf',
  'text/x-vcard': '.vcf',
  'video/mp4': '.mp4',
  'video/3gpp': '.3gp',
};

/** The file extension an attachment's object key ends with ('' when unknown). */
export function attachmentExtension(attachment: MessageAttachment): string {
  const fromName = /\.([A-Za-z0-9]{1,10})$/.exec(attachment.fileName ?? '')?.[1];
  if (fromName) return `.${fromName.toLowerCase()}`;
  const contentType = attachment.contentType?.split(';')[0]?.trim().toLowerCase();
  return (contentType && CONTENT_TYPE_EXTENSIONS[contentType]) || '';
}

/** The key of one attachment: `{messagePrefix}attachments/{attachmentId}{.ext}`. */
export function attachmentKey(
  record: MessageRecord | MessageLocation,
  attachment: MessageAttachment,
): string {
  const attachmentId = assertIdPart(attachment.id, 'the attachment id');
  return `${messagePrefix(record)}attachments/${attachmentId}${attachmentExtension(attachment)}`;
}

/** The key of a purge run's report: `reports/purge/{yyyy}/{mm}/{dd}/{runId}.json` (UTC date). */
export function purgeReportKey(date: Date | string, runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new ArchiveLayoutError(`Invalid purge run id: ${runId}`);
  }
  return `${PURGE_REPORT_PREFIX}${utcDatePath(date)}/${runId}.json`;
}

const RUN_ID_PATTERN = /^[0-9A-Za-z._-]{1,128}$/;

/** `custody/{accountId}/`: every custody manifest of one account. */
export function custodyPrefix(accountId: string): string {
  return `${CUSTODY_PREFIX}${assertIdPart(accountId, 'the account id')}/`;
}

/** The key of a run's custody manifest: `custody/{accountId}/{yyyy}/{mm}/{dd}/{runId}.json`. */
export function custodyManifestKey(accountId: string, date: Date | string, runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) throw new ArchiveLayoutError(`Invalid run id: ${runId}`);
  return `${custodyPrefix(accountId)}${utcDatePath(date)}/${runId}.json`;
}

/** The account a key under `archive/` or `custody/` belongs to, or `undefined`. */
export function accountOfKey(key: string): string | undefined {
  const match = /^(?:archive|custody)\/([0-9A-Za-z_-]{1,64})\//.exec(key);
  return match?.[1];
}
