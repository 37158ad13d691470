import type { Transport } from './client.ts';
import type { DownloadedContent, DownloadOptions } from './download.ts';
import { openDownload } from './download.ts';
import { InvalidInputError } from './errors.ts';
import type { MailboxRef } from './paths.ts';
import { extensionPath } from './paths.ts';
import { assertId } from './validation.ts';

/** Which attachment to read: by ids, or by the `uri` of the record's attachment. */
export type AttachmentRef =
  | (MailboxRef & { messageId: string; attachmentId: string })
  | { uri: string };

/** Attachment content operations (media host, Medium group). */
export interface AttachmentsApi {
  /** Streams an attachment; `range` reads part of it; dropped connections resume by Range. */
  read(ref: AttachmentRef, options?: DownloadOptions): Promise<DownloadedContent>;
}

/** Builds the attachment operations on a transport. */
export function createAttachmentsApi(transport: Transport): AttachmentsApi {
  return {
    async read(ref, options) {
      if ('uri' in ref) {
        if (typeof ref.uri !== 'string' || !/^https?:\/\//i.test(ref.uri)) {
          throw new InvalidInputError('uri must be an absolute http(s) URL');
        }
        return openDownload(transport, { path: ref.uri, host: 'media', group: 'Medium' }, options);
      }
      assertId(ref.messageId, 'messageId');
      assertId(ref.attachmentId, 'attachmentId');
      return openDownload(
        transport,
        {
          path: `${extensionPath(ref)}/message-store/${ref.messageId}/content/${ref.attachmentId}`,
          host: 'media',
          group: 'Medium',
        },
        options,
      );
    },
  };
}
