/** SMS and company pager sends: validated per the spec, stored as outbound messages. */
import busboy from 'busboy';
import { RcError } from '../errors.ts';
import { apiRoute, jsonBody, type RequestContext, type Route, sendJson } from '../http.ts';
import { parseJson } from '../json.ts';
import type { StoredCaller } from '../mailbox-types.ts';
import { readMultipartMixed } from '../multipart-mixed.ts';
import type { EmulatorState } from '../state.ts';
import { messageToWire } from '../wire.ts';
import { resolveExtension } from './resolve.ts';

const E164 = /^\+[1-9]\d{6,14}$/;
/** SMS text limit in UTF-16 code units (a 4-byte character counts twice). */
const SMS_MAX_UNITS = 1000;
const PAGER_MAX_UNITS = 1024;
/** MMS limits from the spec: up to 10 attachments, 1,500,000 bytes in total. */
const MMS_MAX_ATTACHMENTS = 10;
const MMS_MAX_BYTES = 1_500_000;
/** The spec's x-request-max-body-size of the SMS endpoint. */
const MMS_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** Delay after which a queued send reports its final status. */
const DELIVERY_DELAY_MS = 300;

/** The SMS and pager routes. */
export function sendRoutes(state: EmulatorState): Route[] {
  const base = '/restapi/v1.0/account/{accountId}/extension/{extensionId}';
  return [
    apiRoute('POST', `${base}/sms`, 'Medium', (context) => sendSms(state, context)),
    apiRoute('POST', `${base}/company-pager`, 'Medium', (context) => sendPager(state, context)),
  ];
}

function invalid(parameterName: string, message?: string): RcError {
  return new RcError(400, 'CMN-101', message ?? `Parameter [${parameterName}] value is invalid`, {
    parameterName,
  });
}

function required(parameterName: string): RcError {
  return new RcError(400, 'CMN-100', `Parameter [${parameterName}] is required`, { parameterName });
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('body', 'Request body is invalid');
  return body as Record<string, unknown>;
}

async function sendSms(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'OutboundSMS');
  const contentType = context.req.headers['content-type'] ?? '';
  let body: Record<string, unknown>;
  let media: MmsPart[] = [];
  if (/^multipart\/(form-data|mixed)/i.test(contentType)) {
    const parsed = await readMmsRequest(context, contentType);
    body = objectBody(parsed.json);
    media = parsed.media;
  } else if (contentType.includes('application/json')) {
    body = objectBody(await jsonBody(context));
  } else {
    throw new RcError(415, 'CMN-415', 'Unsupported media type: use application/json or multipart');
  }
  const extension = state.mailbox.extension(extensionId);
  const from = body.from as { phoneNumber?: unknown } | undefined;
  if (typeof from?.phoneNumber !== 'string') throw required('from');
  if (!E164.test(from.phoneNumber)) throw invalid('from.phoneNumber');
  if (!extension?.smsNumbers.includes(from.phoneNumber)) {
    throw new RcError(
      400,
      'MSG-304',
      'Phone number does not belong to the user or has no SMS feature',
      {
        parameterName: 'from.phoneNumber',
      },
    );
  }
  if (!Array.isArray(body.to) || body.to.length === 0) throw required('to');
  const to: StoredCaller[] = body.to.map((party: unknown, index: number) => {
    const phoneNumber = (party as { phoneNumber?: unknown } | null)?.phoneNumber;
    if (typeof phoneNumber !== 'string' || !E164.test(phoneNumber))
      throw invalid(`to[${index}].phoneNumber`);
    return { phoneNumber, messageStatus: 'Queued' };
  });
  if (typeof body.text !== 'string' || (body.text.length === 0 && media.length === 0)) {
    throw required('text');
  }
  if (media.length > MMS_MAX_ATTACHMENTS) {
    throw invalid('attachment', `An MMS carries at most ${MMS_MAX_ATTACHMENTS} attachments`);
  }
  if (media.reduce((total, part) => total + part.bytes.length, 0) > MMS_MAX_BYTES) {
    throw invalid('attachment', `MMS attachments are limited to ${MMS_MAX_BYTES} bytes in total`);
  }
  if (body.text.length > SMS_MAX_UNITS) {
    throw new RcError(400, 'CMN-101', `Text length exceeds ${SMS_MAX_UNITS} characters`, {
      parameterName: 'text',
    });
  }
  const message = state.mailbox.send(extensionId, {
    type: 'SMS',
    direction: 'Outbound',
    from: { phoneNumber: from.phoneNumber, name: extension.name },
    to,
    subject: body.text,
    messageStatus: 'Queued',
    attachments: media.map((part) => ({
      type: 'MmsAttachment' as const,
      contentType: part.contentType,
      bytes: part.bytes,
      ...(part.fileName ? { fileName: part.fileName } : {}),
    })),
  });
  state.stats.sent.sms += 1;
  // Recipients inside the account receive the text as an inbound SMS.
  for (const party of to) {
    const recipient = state.mailbox.extensions.find((candidate) =>
      candidate.smsNumbers.includes(party.phoneNumber ?? ''),
    );
    if (recipient) {
      state.mailbox.receive(recipient.id, {
        type: 'SMS',
        direction: 'Inbound',
        from: { phoneNumber: from.phoneNumber, name: extension.name },
        to: [{ phoneNumber: party.phoneNumber ?? '', name: recipient.name }],
        subject: body.text,
      });
    }
  }
  settleLater(state, extensionId, message.id);
  sendJson(context, 200, messageToWire(message));
}

interface MmsPart {
  name?: string;
  contentType: string;
  fileName?: string;
  bytes: Buffer;
}

/**
 * Reads an MMS request: the JSON part (content type application/json) is the request body, every
 * other part an attachment; without a JSON part, plain `from`/`to`/`text` fields. Parts are small
 * (1.5 MB of attachments in total), so they are kept.
 */
async function readMmsRequest(
  context: RequestContext,
  contentType: string,
): Promise<{ json: unknown; media: MmsPart[] }> {
  const parts: MmsPart[] = [];
  let total = 0;
  const collect = (part: MmsPart, chunk: Buffer) => {
    total += chunk.length;
    if (total > MMS_MAX_REQUEST_BYTES) throw invalid('attachment', 'Request body is too large');
    part.bytes = Buffer.concat([part.bytes, chunk]);
  };
  context.req.on('data', (chunk: Buffer) => context.captureRequest(chunk));
  if (/^multipart\/form-data/i.test(contentType)) {
    await new Promise<void>((resolve, reject) => {
      const parser = busboy({ headers: context.req.headers });
      parser.on('field', (name, value, info) => {
        parts.push({ name, contentType: info.mimeType, bytes: Buffer.from(value) });
      });
      parser.on('file', (name, stream, info) => {
        const part: MmsPart = { name, contentType: info.mimeType, bytes: Buffer.alloc(0) };
        if (info.filename) part.fileName = info.filename;
        parts.push(part);
        stream.on('data', (chunk: Buffer) => {
          try {
            collect(part, chunk);
          } catch (error) {
            reject(error);
          }
        });
      });
      parser.on('close', () => resolve());
      parser.on('error', (error) =>
        reject(invalid('body', `Malformed multipart body: ${String(error)}`)),
      );
      context.req.pipe(parser);
    });
  } else {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) throw invalid('body', 'Multipart boundary is missing');
    let current: MmsPart | undefined;
    await readMultipartMixed(context.req, boundary, {
      part(headers) {
        const fileName = /filename\*?="?([^";]+)"?/i.exec(
          headers['content-disposition'] ?? '',
        )?.[1];
        const type = (headers['content-type'] ?? 'application/octet-stream').split(';')[0] ?? '';
        current = { contentType: type.trim(), bytes: Buffer.alloc(0) };
        if (fileName) current.fileName = fileName;
        parts.push(current);
      },
      data(chunk) {
        if (current) collect(current, chunk);
      },
      end() {
        current = undefined;
      },
    });
  }
  const jsonPart = parts.find((part) => part.contentType.startsWith('application/json'));
  const fields = parts.filter(
    (part) => part.name !== undefined && part.fileName === undefined && part !== jsonPart,
  );
  const media = parts.filter((part) => part !== jsonPart && !fields.includes(part));
  if (jsonPart) {
    try {
      return { json: parseJson(jsonPart.bytes.toString('utf8')), media };
    } catch (error) {
      throw new RcError(400, 'CMN-101', 'The JSON part is not valid JSON', { cause: error });
    }
  }
  const values = (name: string) =>
    fields.filter((part) => part.name === name).map((part) => part.bytes.toString('utf8'));
  // A field may hold a bare number or the JSON of the caller object(s).
  const parties = (name: string) =>
    values(name).flatMap((value): unknown[] => {
      const trimmed = value.trim();
      if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return [{ phoneNumber: trimmed }];
      try {
        const parsed = parseJson(trimmed);
        return Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        return [{ phoneNumber: trimmed }];
      }
    });
  const json = { from: parties('from')[0], to: parties('to'), text: values('text')[0] ?? '' };
  return { json, media };
}

/** Moves a queued outbound message to its final status a little later, as the carrier would. */
function settleLater(state: EmulatorState, extensionId: string, messageId: string): void {
  if (state.messageStatusUpdates === 'manual') return;
  const timer = setTimeout(() => {
    const message = state.mailbox.get(extensionId, messageId);
    if (message?.messageStatus !== 'Queued') return;
    state.mailbox.settle(extensionId, messageId, message.type === 'Fax' ? 'Sent' : 'Delivered');
  }, DELIVERY_DELAY_MS);
  timer.unref();
}

export { settleLater };

interface PagerParty {
  extensionId?: unknown;
  extensionNumber?: unknown;
}

/**
 * Without `to`, a pager message goes to the other parties of the message it replies to (the spec:
 * `to` is "optional if `replyOn` parameter is specified").
 */
function replyRecipients(state: EmulatorState, extensionId: string, replyOn: unknown) {
  if (replyOn === undefined) throw required('to');
  const original =
    typeof replyOn === 'string' || typeof replyOn === 'number'
      ? state.mailbox.get(extensionId, String(replyOn))
      : undefined;
  if (original?.type !== 'Pager') {
    throw invalid('replyOn', 'Parameter [replyOn] is not a pager message of this extension');
  }
  const parties = [original.from, ...original.to]
    .map((caller) => caller?.extensionId)
    .filter((id): id is string => id !== undefined && id !== extensionId);
  const recipients = [...new Set(parties)]
    .map((id) => state.mailbox.extension(id))
    .filter((extension) => extension !== undefined);
  if (recipients.length === 0) throw invalid('replyOn', 'The replied-to message has no recipient');
  return recipients;
}

async function sendPager(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'InternalSMS');
  const body = objectBody(await jsonBody(context));
  const { mailbox } = state;
  const resolveParty = (party: PagerParty | undefined, name: string) => {
    const found =
      typeof party?.extensionId === 'string'
        ? mailbox.extension(party.extensionId)
        : typeof party?.extensionNumber === 'string'
          ? mailbox.extensionByNumber(party.extensionNumber)
          : undefined;
    if (!found)
      throw invalid(name, `Parameter [${name}] does not match an extension of the account`);
    return found;
  };
  const sender =
    body.from === undefined
      ? mailbox.extension(extensionId)
      : resolveParty(body.from as PagerParty, 'from');
  if (!sender || sender.id !== extensionId)
    throw invalid('from', 'Sender must be the current extension');
  const recipients =
    Array.isArray(body.to) && body.to.length > 0
      ? body.to.map((party: unknown, index: number) =>
          resolveParty(party as PagerParty, `to[${index}]`),
        )
      : replyRecipients(state, extensionId, body.replyOn);
  if (typeof body.text !== 'string' || body.text.length === 0) throw required('text');
  if (body.text.length > PAGER_MAX_UNITS) {
    throw new RcError(400, 'CMN-101', `Text length exceeds ${PAGER_MAX_UNITS} characters`, {
      parameterName: 'text',
    });
  }
  const party = (extension: typeof sender) => ({
    extensionId: extension.id,
    extensionNumber: extension.extensionNumber,
    name: extension.name,
  });
  const message = mailbox.send(extensionId, {
    type: 'Pager',
    direction: 'Outbound',
    from: party(sender),
    to: recipients.map(party),
    subject: body.text,
    messageStatus: 'Sent',
  });
  state.stats.sent.pager += 1;
  for (const recipient of recipients) {
    mailbox.receive(recipient.id, {
      type: 'Pager',
      direction: 'Inbound',
      from: party(sender),
      to: recipients.map(party),
      subject: body.text,
      ...(message.conversationId ? { conversationId: message.conversationId } : {}),
    });
  }
  sendJson(context, 200, messageToWire(message));
}
