/**
 * Fax sends (multipart/form-data via busboy, or multipart/mixed with a JSON part first), parsed
 * as streams: documents are counted, never kept. Also the fax cover page dictionary.
 */
import busboy from 'busboy';
import { RcError } from '../errors.ts';
import { apiRoute, type RequestContext, type Route, sendJson } from '../http.ts';
import { int64, parseJson } from '../json.ts';
import { readMultipartMixed } from '../multipart-mixed.ts';
import type { EmulatorState } from '../state.ts';
import { pageOf } from './paging.ts';
import { resolveExtension } from './resolve.ts';
import { settleLater } from './send.ts';

/** RingCentral's limit for one fax request's documents. */
const MAX_FAX_BYTES = 50 * 1024 * 1024;
const E164 = /^\+?[1-9]\d{6,14}$/;

// RingCentral's own list, kept here on purpose rather than imported from lib/api: the local
// RingCentral must not share code with the functions it checks.
const SUPPORTED_TYPES = new Map<string, string>([
  ['pdf', 'application/pdf'],
  ['tif', 'image/tiff'],
  ['tiff', 'image/tiff'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['png', 'image/png'],
  ['gif', 'image/gif'],
  ['bmp', 'image/bmp'],
  ['txt', 'text/plain'],
  ['html', 'text/html'],
  ['htm', 'text/html'],
  ['rtf', 'application/rtf'],
  ['doc', 'application/msword'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xls', 'application/vnd.ms-excel'],
  ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt', 'application/vnd.ms-powerpoint'],
  ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
  ['ps', 'application/postscript'],
]);
const SUPPORTED_MIME = new Set(SUPPORTED_TYPES.values());

/** RingCentral's cover pages (id 0 = none), en-US. */
const COVER_PAGES = [
  'None',
  'Ancient',
  'Birthday',
  'Blank',
  'Clasmod',
  'Classic',
  'Confidential',
  'Contempo',
  'Elegant',
  'Express',
  'Formal',
  'Jazzy',
  'Modern',
  'Urgent',
];

interface FaxDocument {
  fileName: string | undefined;
  contentType: string;
  size: number;
}

interface FaxUpload {
  fields: Map<string, string[]>;
  documents: FaxDocument[];
  total: number;
}

/** The fax and cover page routes. */
export function faxRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute(
      'POST',
      '/restapi/v1.0/account/{accountId}/extension/{extensionId}/fax',
      'Heavy',
      (context) => sendFax(state, context),
    ),
    apiRoute('GET', '/restapi/v1.0/dictionary/fax-cover-page', 'Light', async (context) =>
      coverPages(state, context),
    ),
  ];
}

function coverPages(state: EmulatorState, context: RequestContext): void {
  const perPage = Math.min(Math.max(1, Number(context.query.get('perPage') ?? 100) || 100), 1000);
  // The spec caps the page number at 1000.
  const page = Math.min(Math.max(1, Number(context.query.get('page') ?? 1) || 1), 1000);
  const all = COVER_PAGES.map((name, id) => ({ id: String(id), name }));
  const base = `${state.platformUrl()}/restapi/v1.0/dictionary/fax-cover-page`;
  const pageUri = (number: number) => `${base}?page=${number}&perPage=${perPage}`;
  sendJson(context, 200, { uri: pageUri(page), ...pageOf(all, page, perPage, pageUri) });
}

function documentType(
  contentType: string | undefined,
  fileName: string | undefined,
): string | undefined {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (SUPPORTED_MIME.has(mime)) return mime;
  if (mime === '' || mime === 'application/octet-stream') {
    const extension = fileName?.split('.').pop()?.toLowerCase() ?? '';
    return SUPPORTED_TYPES.get(extension);
  }
  return undefined;
}

function addField(upload: FaxUpload, name: string, value: string): void {
  const values = upload.fields.get(name) ?? [];
  values.push(value);
  upload.fields.set(name, values);
}

async function readFormData(context: RequestContext, upload: FaxUpload): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: context.req.headers, defParamCharset: 'utf8' });
    parser.on('field', (name, value, info) => {
      // busboy takes a part without a file name for a field; for a document that is the error.
      if (name === 'attachment') {
        upload.documents.push({
          fileName: undefined,
          contentType: info.mimeType,
          size: value.length,
        });
      } else {
        addField(upload, name, value);
      }
    });
    parser.on('file', (_name, stream, info) => {
      const document: FaxDocument = {
        fileName: info.filename || undefined,
        contentType: info.mimeType,
        size: 0,
      };
      upload.documents.push(document);
      stream.on('data', (chunk: Buffer) => {
        document.size += chunk.length;
        upload.total += chunk.length;
      });
    });
    parser.on('close', () => resolve());
    parser.on('error', (error) =>
      reject(new RcError(400, 'CMN-101', 'Malformed multipart body', { cause: error })),
    );
    context.req.on('data', (chunk: Buffer) => context.captureRequest(chunk));
    context.req.pipe(parser);
  });
}

async function readMixed(
  context: RequestContext,
  boundary: string,
  upload: FaxUpload,
): Promise<void> {
  let first = true;
  let jsonChunks: Buffer[] | undefined;
  let document: FaxDocument | undefined;
  context.req.on('data', (chunk: Buffer) => context.captureRequest(chunk));
  await readMultipartMixed(context.req, boundary, {
    part(headers) {
      const type = headers['content-type'] ?? '';
      if (first && type.includes('json')) {
        jsonChunks = [];
        document = undefined;
      } else {
        jsonChunks = undefined;
        const disposition = headers['content-disposition'] ?? '';
        const fileName = /filename\*?="?([^";]+)"?/i.exec(disposition)?.[1];
        document = { fileName, contentType: type, size: 0 };
        upload.documents.push(document);
      }
      first = false;
    },
    data(chunk) {
      if (jsonChunks) jsonChunks.push(chunk);
      else if (document) {
        document.size += chunk.length;
        upload.total += chunk.length;
      }
    },
    end() {
      if (!jsonChunks) return;
      let json: unknown;
      try {
        json = parseJson(Buffer.concat(jsonChunks).toString('utf8'));
      } catch (error) {
        throw new RcError(400, 'CMN-101', 'The JSON part is not valid JSON', { cause: error });
      }
      for (const [name, value] of Object.entries((json ?? {}) as Record<string, unknown>)) {
        if (name === 'to' && Array.isArray(value)) {
          for (const party of value) {
            const number =
              typeof party === 'string' ? party : (party as { phoneNumber?: unknown })?.phoneNumber;
            if (typeof number === 'string') addField(upload, 'to', number);
          }
        } else if (value !== undefined && value !== null) {
          addField(upload, name, String(value));
        }
      }
    },
  });
}

async function sendFax(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'OutboundFaxes');
  const contentType = context.req.headers['content-type'] ?? '';
  const upload: FaxUpload = { fields: new Map(), documents: [], total: 0 };
  if (/^multipart\/form-data/i.test(contentType)) {
    await readFormData(context, upload);
  } else if (/^multipart\/mixed/i.test(contentType)) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) throw new RcError(400, 'CMN-101', 'Multipart boundary is missing');
    await readMixed(context, boundary, upload);
  } else {
    throw new RcError(
      415,
      'CMN-415',
      'Fax requests must be multipart/form-data or multipart/mixed',
    );
  }
  const to = (upload.fields.get('to') ?? []).map((value) => {
    // A `to` field may be a bare number or JSON like {"phoneNumber":"+1..."}.
    const trimmed = value.trim();
    if (trimmed.startsWith('{')) {
      try {
        const parsed = parseJson(trimmed) as { phoneNumber?: unknown };
        return typeof parsed.phoneNumber === 'string' ? parsed.phoneNumber : '';
      } catch {
        return '';
      }
    }
    return trimmed;
  });
  if (to.length === 0)
    throw new RcError(400, 'CMN-100', 'Parameter [to] is required', { parameterName: 'to' });
  for (const number of to) {
    if (!E164.test(number)) {
      throw new RcError(400, 'CMN-101', 'Parameter [to] value is invalid', { parameterName: 'to' });
    }
  }
  if (upload.documents.length === 0) {
    throw new RcError(400, 'CMN-100', 'Parameter [attachment] is required', {
      parameterName: 'attachment',
    });
  }
  for (const document of upload.documents) {
    if (!document.fileName) {
      throw new RcError(400, 'CMN-101', 'File name is required for every attachment', {
        parameterName: 'attachment',
      });
    }
    if (document.size > MAX_FAX_BYTES) {
      throw new RcError(
        413,
        'MSG-337',
        `Attachment [${document.fileName}] exceeds the 50 MB limit`,
        {
          parameterName: 'attachment',
        },
      );
    }
  }
  if (upload.total > MAX_FAX_BYTES) {
    throw new RcError(413, 'MSG-338', 'Total size of the attachments exceeds the 50 MB limit', {
      parameterName: 'attachment',
    });
  }
  for (const document of upload.documents) {
    if (document.size === 0) {
      throw new RcError(400, 'MSG-347', `Attachment [${document.fileName}] is empty`, {
        parameterName: 'attachment',
      });
    }
    if (!documentType(document.contentType, document.fileName)) {
      throw new RcError(415, 'MSG-348', `Unsupported attachment type [${document.contentType}]`, {
        parameterName: 'attachment',
      });
    }
  }
  const field = (name: string) => upload.fields.get(name)?.[0];
  const resolution = field('faxResolution') ?? 'Low';
  if (resolution !== 'High' && resolution !== 'Low') {
    throw new RcError(400, 'CMN-101', 'Parameter [faxResolution] value is invalid', {
      parameterName: 'faxResolution',
    });
  }
  const coverIndexRaw = field('coverIndex');
  const coverIndex = coverIndexRaw === undefined ? undefined : Number(coverIndexRaw);
  if (
    coverIndex !== undefined &&
    (!Number.isInteger(coverIndex) || coverIndex < 0 || coverIndex > 13)
  ) {
    throw new RcError(400, 'CMN-101', 'Parameter [coverIndex] value is invalid', {
      parameterName: 'coverIndex',
    });
  }
  const coverPageText = field('coverPageText');
  if (coverPageText !== undefined && coverPageText.length > 1024) {
    throw new RcError(400, 'CMN-101', 'Parameter [coverPageText] value is invalid', {
      parameterName: 'coverPageText',
    });
  }
  const extension = state.mailbox.extension(extensionId);
  const pages = upload.documents.length + (coverIndex === 0 ? 0 : 1);
  const message = state.mailbox.send(extensionId, {
    type: 'Fax',
    direction: 'Outbound',
    from: { phoneNumber: extension?.faxNumber ?? '', name: extension?.name ?? '' },
    to: to.map((phoneNumber) => ({ phoneNumber, messageStatus: 'Queued' })),
    messageStatus: 'Queued',
    faxPageCount: pages,
    faxResolution: resolution,
    ...(coverIndex === undefined ? {} : { coverIndex }),
    ...(coverPageText === undefined ? {} : { coverPageText }),
    attachments: [
      {
        type: 'RenderedDocument',
        contentType: 'application/pdf',
        size: upload.total + 1024 * pages,
        fileName: 'fax.pdf',
      },
    ],
  });
  state.stats.sent.fax += 1;
  settleLater(state, extensionId, message.id);
  sendJson(context, 200, {
    id: int64(message.id),
    uri: message.uri,
    type: 'Fax',
    from: message.from,
    to: message.to.map((party) => ({
      phoneNumber: party.phoneNumber,
      messageStatus: party.messageStatus,
    })),
    creationTime: message.creationTime,
    readStatus: message.readStatus,
    priority: 'Normal',
    attachments: message.attachments.map((attachment) => ({
      id: int64(attachment.id),
      uri: attachment.uri,
      type: attachment.type,
      contentType: attachment.contentType,
      filename: attachment.fileName,
      size: attachment.size,
    })),
    direction: message.direction,
    availability: message.availability,
    messageStatus: message.messageStatus,
    faxResolution: message.faxResolution,
    faxPageCount: message.faxPageCount,
    lastModifiedTime: message.lastModifiedTime,
    ...(coverIndex === undefined ? {} : { coverIndex }),
    ...(coverPageText === undefined ? {} : { coverPageText }),
  });
}
