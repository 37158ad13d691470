import { describe, expect, it } from 'vitest';
import {
  base64DecodedBytes,
  MAX_FAX_REQUEST_BYTES,
  MAX_INLINE_CONTENT_CHARS,
  MAX_INLINE_DOCUMENT_BYTES,
  sendFaxRequest,
  sendFaxRequestFor,
} from '../../../lib/api/fax.ts';
import { sendPagerRequest } from '../../../lib/api/pager.ts';
import { sendSmsRequest } from '../../../lib/api/sms.ts';

function fieldsOf(result: {
  success: boolean;
  error?: { issues: Array<{ path: PropertyKey[] }> };
}) {
  return (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
}

describe('the SMS body', () => {
  it('counts text in UTF-16 code units: 500 emoji fit, 501 do not', () => {
    // Prepare
    const emoji = '\u{1F600}';
    const fits = { to: ['+16505550102'], text: emoji.repeat(500) };
    const tooLong = { to: ['+16505550102'], text: emoji.repeat(501) };

    // Act
    const accepted = sendSmsRequest.safeParse(fits);
    const refused = sendSmsRequest.safeParse(tooLong);

    // Assess
    expect(accepted.success).toBe(true);
    expect(fieldsOf(refused)).toEqual(['text']);
  });

  it('accepts E.164 numbers only and 1 to 10 recipients', () => {
    // Prepare
    const numbers = ['+16505550102', '+4930123456', '+123456', '16505550102', '+0123456789'];
    const eleven = Array.from(
      { length: 11 },
      (_, index) => `+1650555${String(index).padStart(4, '0')}`,
    );

    // Act
    const verdicts = numbers.map(
      (number) => sendSmsRequest.safeParse({ to: [number], text: 'x' }).success,
    );
    const none = sendSmsRequest.safeParse({ to: [], text: 'x' });
    const tooMany = sendSmsRequest.safeParse({ to: eleven, text: 'x' });

    // Assess
    expect(verdicts).toEqual([true, true, false, false, false]);
    expect(fieldsOf(none)).toEqual(['to']);
    expect(fieldsOf(tooMany)).toEqual(['to']);
  });

  it('names every wrong field, including unknown ones', () => {
    // Act
    const result = sendSmsRequest.safeParse({ from: 'me', to: ['+16505550102', 'x'], tex: 'hi' });

    // Assess
    expect(fieldsOf(result).sort()).toEqual(['', 'from', 'text', 'to.1'].sort());
  });
});

describe('the pager body', () => {
  it('takes extensions by id or number and a 1024-unit text', () => {
    // Prepare
    const body = {
      to: [{ extensionId: '101002' }, { extensionNumber: '103' }],
      text: 'y'.repeat(1024),
      replyOn: '9007199254740993123',
    };

    // Act
    const parsed = sendPagerRequest.parse(body);
    const tooLong = sendPagerRequest.safeParse({ ...body, text: 'y'.repeat(1025) });
    const numericId = sendPagerRequest.safeParse({ ...body, to: [{ extensionId: 101002 }] });

    // Assess
    expect(parsed.replyOn).toBe('9007199254740993123');
    expect(fieldsOf(tooLong)).toEqual(['text']);
    expect(fieldsOf(numericId)).toEqual(['to.0']);
  });
});

describe('the fax body', () => {
  const pdf = Buffer.from('%PDF-1.4 test').toString('base64');

  it('accepts inline and S3 documents of documented types and refuses others', () => {
    // Prepare
    const good = {
      to: ['+16505550199'],
      documents: [
        { fileName: 'Report.PDF', content: pdf },
        { bucket: 'fax-docs', key: 'a/b/scan.tiff' },
        { bucket: 'fax-docs', key: 'no-extension', fileName: 'letter.docx' },
      ],
      coverIndex: 0,
      sendTime: '2026-08-20T10:00:00+02:00',
    };
    const badType = { to: ['+16505550199'], documents: [{ fileName: 'run.exe', content: pdf }] };
    const unnamed = { to: ['+16505550199'], documents: [{ bucket: 'fax-docs', key: 'blob' }] };

    // Act
    const accepted = sendFaxRequest.safeParse(good);
    const refusedType = sendFaxRequest.safeParse(badType);
    const refusedName = sendFaxRequest.safeParse(unnamed);

    // Assess
    expect(accepted.success).toBe(true);
    expect(fieldsOf(refusedType)).toEqual(['documents.0.fileName']);
    expect(fieldsOf(refusedName)).toEqual(['documents.0.fileName']);
  });

  it('refuses cover indexes outside 0-13, bad base64 and empty documents', () => {
    // Prepare
    const base = { to: ['+16505550199'], documents: [{ fileName: 'a.txt', content: pdf }] };

    // Act
    const cover = sendFaxRequest.safeParse({ ...base, coverIndex: 14 });
    const fraction = sendFaxRequest.safeParse({ ...base, coverIndex: 1.5 });
    const notBase64 = sendFaxRequest.safeParse({
      ...base,
      documents: [{ fileName: 'a.txt', content: 'not base64!' }],
    });
    const empty = sendFaxRequest.safeParse({
      ...base,
      documents: [{ fileName: 'a.txt', content: '' }],
    });

    // Assess
    expect(fieldsOf(cover)).toEqual(['coverIndex']);
    expect(fieldsOf(fraction)).toEqual(['coverIndex']);
    expect(fieldsOf(notBase64)).toEqual(['documents.0.content']);
    expect(fieldsOf(empty)).toEqual(['documents.0.content']);
  });

  it('allows S3 references only to the configured buckets', () => {
    // Prepare
    const schema = sendFaxRequestFor(['fax-docs']);
    const body = (bucket: string) => ({
      to: ['+16505550199'],
      documents: [{ bucket, key: 'scan.pdf' }],
    });

    // Act
    const allowed = schema.safeParse(body('fax-docs'));
    const other = schema.safeParse(body('someone-elses'));

    // Assess
    expect(allowed.success).toBe(true);
    expect(fieldsOf(other)).toEqual(['documents.0.bucket']);
  });

  it('computes decoded base64 sizes and caps inline documents at what fits in a Lambda request', () => {
    // Prepare: two documents each within the per-document limit, over the total together.
    const sizes = [1, 2, 3, 4, 1000];
    const half = 'A'.repeat(Math.ceil((MAX_INLINE_DOCUMENT_BYTES / 2 + 3) / 3) * 4);
    const documents = [0, 1].map((index) => ({ fileName: `part${index}.txt`, content: half }));
    const tooLong = 'A'.repeat(MAX_INLINE_CONTENT_CHARS + 4);

    // Act
    const decoded = sizes.map((size) => base64DecodedBytes(Buffer.alloc(size).toString('base64')));
    const tooBig = sendFaxRequest.safeParse({ to: ['+16505550199'], documents });
    const oneTooBig = sendFaxRequest.safeParse({
      to: ['+16505550199'],
      documents: [{ fileName: 'a.txt', content: tooLong }],
    });

    // Assess
    expect(decoded).toEqual(sizes);
    expect(MAX_INLINE_CONTENT_CHARS).toBeLessThan(MAX_FAX_REQUEST_BYTES);
    expect(fieldsOf(oneTooBig)).toContain('documents.0.content');
    expect(fieldsOf(tooBig)).toEqual(['documents']);
  });
});
