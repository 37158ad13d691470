import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import type { FormPart, PartContent } from './multipart.ts';
import { buildFormData } from './multipart.ts';
import type { MailboxRef } from './paths.ts';
import { extensionPath } from './paths.ts';
import type { FaxCoverPage, FaxResolution, NonEmptyArray, SentMessage } from './types.ts';
import {
  assertDateTime,
  assertE164,
  assertInteger,
  assertOneOf,
  assertTextLength,
} from './validation.ts';

/** One document of a fax. */
export interface FaxAttachment {
  fileName: string;
  contentType: string;
  content: PartContent;
  /** Bytes, when `content` is a stream and the size is known. */
  size?: number;
}

/** `POST .../fax` as multipart/form-data. */
export interface FaxRequest extends MailboxRef {
  /** E.164 numbers; each becomes one repeated `to` field. */
  to: NonEmptyArray<string>;
  attachments: NonEmptyArray<FaxAttachment>;
  faxResolution?: FaxResolution;
  /** 0 = no cover page; 1-13 see `coverPages()`. */
  coverIndex?: number;
  coverPageText?: string;
  /** When to send; now if absent. */
  sendTime?: string | Date;
  /** ISO 3166 alpha-2 code for numbers without a country code. */
  isoCode?: string;
}

/** Fax operations. */
export interface FaxApi {
  /** Sends a fax; a POST that may have been received is never repeated. */
  send(request: FaxRequest, options?: CallOptions): Promise<SentMessage>;
  /** `GET /restapi/v1.0/dictionary/fax-cover-page` */
  coverPages(options?: CallOptions): Promise<FaxCoverPage[]>;
}

/** RingCentral's limit on one fax request (MSG-337/338 beyond). */
export const MAX_FAX_BYTES = 50 * 1024 * 1024;

/** Checks a fax request and turns it into form parts. */
export function faxParts(request: FaxRequest): FormPart[] {
  if (!Array.isArray(request?.to) || request.to.length === 0) {
    throw new InvalidInputError('A fax needs at least one recipient in `to`');
  }
  request.to.forEach((number, index) => {
    assertE164(number, `to[${index}]`);
  });
  if (!Array.isArray(request.attachments) || request.attachments.length === 0) {
    throw new InvalidInputError('A fax needs at least one attachment');
  }
  const parts: FormPart[] = request.to.map((number) => ({ name: 'to', value: number }));
  if (request.faxResolution !== undefined) {
    assertOneOf(request.faxResolution, ['High', 'Low'] as const, 'faxResolution');
    parts.push({ name: 'faxResolution', value: request.faxResolution });
  }
  if (request.sendTime !== undefined)
    parts.push({ name: 'sendTime', value: assertDateTime(request.sendTime, 'sendTime') });
  if (request.isoCode !== undefined) {
    if (!/^[A-Z]{2}$/.test(request.isoCode))
      throw new InvalidInputError('isoCode must be two capital letters');
    parts.push({ name: 'isoCode', value: request.isoCode });
  }
  if (request.coverIndex !== undefined) {
    assertInteger(request.coverIndex, 0, 28, 'coverIndex');
    parts.push({ name: 'coverIndex', value: String(request.coverIndex) });
  }
  if (request.coverPageText !== undefined) {
    assertTextLength(request.coverPageText, 1024, 'coverPageText');
    parts.push({ name: 'coverPageText', value: request.coverPageText });
  }
  let knownBytes = 0;
  request.attachments.forEach((attachment, index) => {
    if (typeof attachment?.fileName !== 'string' || attachment.fileName.trim() === '') {
      throw new InvalidInputError(`attachments[${index}].fileName is required`);
    }
    if (
      typeof attachment.contentType !== 'string' ||
      !/^[\w.+-]+\/[\w.+-]+/.test(attachment.contentType)
    ) {
      throw new InvalidInputError(`attachments[${index}].contentType must be a MIME type`);
    }
    const content = attachment.content;
    const size =
      typeof content === 'string'
        ? Buffer.byteLength(content)
        : content instanceof Uint8Array
          ? content.byteLength
          : attachment.size;
    if (size === 0) throw new InvalidInputError(`attachments[${index}] is empty`);
    knownBytes += size ?? 0;
    parts.push({
      name: 'attachment',
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      content,
      ...(size === undefined ? {} : { size }),
    });
  });
  if (knownBytes > MAX_FAX_BYTES) {
    throw new InvalidInputError(
      `The fax documents total ${knownBytes} bytes; the limit is ${MAX_FAX_BYTES}`,
    );
  }
  return parts;
}

/** Builds the fax operations on a transport. */
export function createFaxApi(transport: Transport): FaxApi {
  return {
    async send(request, options) {
      const body = buildFormData(faxParts(request));
      return transport.json<SentMessage>(
        {
          method: 'POST',
          path: `${extensionPath(request)}/fax`,
          group: 'Heavy',
          body: {
            kind: 'raw',
            contentType: body.contentType,
            create: body.create,
            replayable: body.replayable,
          },
        },
        options,
      );
    },
    async coverPages(options) {
      const result = await transport.json<{ records?: FaxCoverPage[] }>(
        {
          method: 'GET',
          path: '/restapi/v1.0/dictionary/fax-cover-page',
          group: 'Light',
          query: { perPage: 1000 },
        },
        options,
      );
      return result?.records ?? [];
    },
  };
}
