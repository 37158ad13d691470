import { describe, expect, it } from 'vitest';
import {
  ArchiveLayoutError,
  attachmentKey,
  messageKey,
  purgeReportKey,
} from '../../../lib/archive/layout.ts';
import type { MessageRecord } from '../../../lib/ringcentral/index.ts';

const record: MessageRecord = {
  id: '1724099032020',
  uri: 'https://platform.example/restapi/v1.0/account/400131880008/extension/101001/message-store/1724099032020',
  extensionId: '101001',
  creationTime: '2026-03-04T23:59:59.999-02:00',
  conversationId: '4611686018427387905',
};

describe('archive layout', () => {
  it('keys a message by real account, extension and UTC creation date', () => {
    // Prepare
    const expectedDate = new Date(record.creationTime ?? '').toISOString().slice(0, 10);

    // Act
    const key = messageKey(record);

    // Assess
    expect(key).toBe(
      `archive/400131880008/101001/${expectedDate.replaceAll('-', '/')}/1724099032020/message.json`,
    );
    expect(expectedDate).toBe('2026-03-05');
  });

  it('names attachments by id with an extension from the file name, else the content type', () => {
    // Prepare
    const withName = { id: '9839074435', fileName: 'Scan.PDF', contentType: 'image/tiff' };
    const withType = { id: '9839074438', contentType: 'audio/mpeg; codecs=mp3' };
    const unknown = { id: '9839074441', contentType: 'application/x-unknown' };

    // Act
    const keys = [withName, withType, unknown].map((attachment) =>
      attachmentKey(record, attachment),
    );

    // Assess
    expect(keys.map((key) => key.split('/attachments/')[1])).toEqual([
      '9839074435.pdf',
      '9839074438.mp3',
      '9839074441',
    ]);
    expect(
      keys.every((key) => key.startsWith(messageKey(record).replace('message.json', ''))),
    ).toBe(true);
  });

  it('refuses records without a real account, extension or creation time', () => {
    // Prepare
    const tilde = { ...record, uri: record.uri?.replace('400131880008', '~') };
    const idOnly: MessageRecord = { id: '1724099032027', availability: 'Deleted' };

    // Act
    const attempts = [() => messageKey(tilde), () => messageKey(idOnly)];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(ArchiveLayoutError);
  });

  it('keys purge reports deterministically', () => {
    // Prepare
    const day = new Date('2026-12-31T23:30:00Z');

    // Act
    const report = purgeReportKey(day, 'run-1');

    // Assess
    expect(report).toBe('reports/purge/2026/12/31/run-1.json');
    expect(() => purgeReportKey(day, '../escape')).toThrow(ArchiveLayoutError);
  });
});
