/** Attachment content on both hosts, streamed from the generator, with Range / 206 / 416. */
import { openContent } from '../content.ts';
import { RcError } from '../errors.ts';
import { apiRoute, type RequestContext, type Route, sendStream } from '../http.ts';
import type { EmulatorState } from '../state.ts';
import { resolveExtension } from './resolve.ts';

/** The attachment content route (platform and media hosts). */
export function contentRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute(
      'GET',
      '/restapi/v1.0/account/{accountId}/extension/{extensionId}/message-store/{messageId}/content/{attachmentId}',
      'Medium',
      (context) => content(state, context),
      ['platform', 'media'],
    ),
  ];
}

/** Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against a size; undefined when unsatisfiable. */
export function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | undefined | 'ignore' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim().split(',')[0]?.trim() ?? '');
  if (!match) return 'ignore';
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return 'ignore';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return undefined;
  return { start, end };
}

async function content(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'ReadMessages');
  const messageId = context.params.messageId ?? '';
  const attachmentId = context.params.attachmentId ?? '';
  const message = state.mailbox.get(extensionId, messageId);
  const attachment = message?.attachments.find((candidate) => candidate.id === attachmentId);
  const source = attachment ? state.mailbox.content(attachmentId) : undefined;
  if (!message || !attachment || !source) {
    throw new RcError(404, 'CMN-102', 'Resource for parameter [attachmentId] is not found', {
      parameterName: 'attachmentId',
    });
  }
  const disposition =
    context.query.get('contentDisposition') === 'Attachment' ? 'attachment' : 'inline';
  const fileName =
    context.query.get('contentDispositionFilename') ?? attachment.fileName ?? `${attachmentId}`;
  const headers: Record<string, string> = {
    'Content-Type': attachment.contentType,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': `${disposition}; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
  };
  const rangeHeader = context.req.headers.range;
  const range = rangeHeader ? parseRange(rangeHeader, source.size) : 'ignore';
  if (range === undefined) {
    throw new RcError(416, 'CMN-107', 'Requested range is not satisfiable', {
      headers: { 'Content-Range': `bytes */${source.size}` },
    });
  }
  if (range === 'ignore') {
    headers['Content-Length'] = String(source.size);
    await sendStream(context, 200, headers, openContent(source), source.size);
    return;
  }
  const length = range.end - range.start + 1;
  headers['Content-Length'] = String(length);
  headers['Content-Range'] = `bytes ${range.start}-${range.end}/${source.size}`;
  await sendStream(context, 206, headers, openContent(source, range.start, range.end), length);
}
