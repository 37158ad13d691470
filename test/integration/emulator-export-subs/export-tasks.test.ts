import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Entry, open as openZip, type ZipFile } from 'yauzl';
import {
  ExportLimitError,
  ExportRequestError,
  ExportTasks,
  type StoredMessage,
} from '../../../local/ringcentral/export-tasks.ts';
import { loadRingCentralContract } from '../../support/contract-deviations.ts';
import { digest } from '../../support/digest.ts';
import type { Contract } from '../../support/openapi-contract.ts';
import { generatedAttachment } from './attachment-bytes.ts';

const ACCOUNT_ID = '400142200026';
const BASE_URL = 'http://127.0.0.1:1';

function message(
  id: string,
  type: StoredMessage['type'],
  creationTime: string,
  attachmentSizes: number[] = [],
): StoredMessage {
  const uri = `${BASE_URL}/restapi/v1.0/account/${ACCOUNT_ID}/extension/101001/message-store/${id}`;
  return {
    id,
    uri,
    extensionId: '101001',
    type,
    direction: 'Inbound',
    availability: 'Alive',
    messageStatus: 'Received',
    readStatus: 'Unread',
    creationTime,
    lastModifiedTime: creationTime,
    from: { phoneNumber: '+15550100' },
    to: [{ phoneNumber: '+15550101' }],
    subject: `text of ${id} with "quotes" and ünïcode`,
    conversationId: `9${id.slice(1)}`,
    conversation: { id: `9${id.slice(1)}` },
    attachments: attachmentSizes.map((size, index) => ({
      id: `${id.slice(0, -1)}${index + 5}`,
      uri: `${uri}/content/${id.slice(0, -1)}${index + 5}`,
      type: 'RenderedDocument',
      contentType: 'application/pdf',
      size,
      fileName: `doc ${index}/v.pdf`,
    })),
  };
}

/** Clock the test moves by hand. */
function manualClock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

interface ZipContent {
  names: string[];
  read: (name: string) => Promise<Readable>;
  close: () => void;
}

async function openZipFile(path: string): Promise<ZipContent> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    openZip(path, { lazyEntries: false, autoClose: false }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  const entries = new Map<string, Entry>();
  zip.on('entry', (entry: Entry) => entries.set(entry.fileName, entry));
  await new Promise((resolve) => zip.once('end', resolve));
  return {
    names: [...entries.keys()],
    read: (name) =>
      new Promise((resolve, reject) =>
        zip.openReadStream(entries.get(name)!, (error, stream) =>
          error ? reject(error) : resolve(stream),
        ),
      ),
    close: () => zip.close(),
  };
}

/** JSON.parse that turns integers beyond 2^53 into their exact digits (a string). */
function parseKeepingInt64(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) && context?.source
      ? context.source
      : value,
  );
}

function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('ExportTasks', () => {
  let directory: string;
  const messages: StoredMessage[] = [
    message('9223372036854775101', 'Fax', '2026-03-01T08:00:00Z', [1500, 70_000]),
    message('1234567890123456201', 'SMS', '2026-03-01T09:00:00Z'),
    message('1234567890123456301', 'VoiceMail', '2026-03-01T10:00:00Z', [200_000]),
    message('1234567890123456401', 'Fax', '2026-03-01T11:00:00Z', [0, 33_333]),
    message('1234567890123456501', 'SMS', '2026-02-01T11:00:00Z'),
    {
      ...message('1234567890123456601', 'Fax', '2026-03-01T11:30:00Z', [10]),
      availability: 'Deleted',
    },
  ];
  const sizes = new Map(messages.flatMap((m) => m.attachments.map((a) => [a.id, a.size] as const)));
  const openAttachment = (_messageId: string, attachmentId: string) =>
    generatedAttachment(attachmentId, sizes.get(attachmentId)!).stream;

  let contract: Contract;

  beforeAll(async () => {
    contract = await loadRingCentralContract();
  });

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'export-tasks-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  function exportTasks(clock: ReturnType<typeof manualClock>, extra = {}) {
    return new ExportTasks({
      accountId: ACCOUNT_ID,
      baseUrl: () => BASE_URL,
      messages: () => messages,
      openAttachment,
      stepMs: 200,
      now: clock.now,
      ...extra,
    });
  }

  async function download(tasks: ExportTasks, taskId: string, index: number) {
    const archive = tasks.openArchive(taskId, index)!;
    const path = join(directory, `${index}.zip`);
    await pipeline(archive.stream, createWriteStream(path));
    return { path, declaredSize: archive.size, size: (await stat(path)).size };
  }

  it('walks Accepted -> InProgress -> Completed with time, shaped as MessageStoreReport', () => {
    // Prepare
    const clock = manualClock();
    const tasks = exportTasks(clock);

    // Act
    const created = tasks.create({
      dateFrom: '2026-03-01T00:00:00Z',
      dateTo: '2026-03-02T00:00:00Z',
    });
    const archivesWhileAccepted = tasks.archives(created.id);
    clock.advance(200);
    const inProgress = tasks.get(created.id)!;
    clock.advance(200);
    const completed = tasks.get(created.id)!;

    // Assess
    for (const report of [created, inProgress, completed]) {
      expect(contract.validateSchema('MessageStoreReport', report)).toEqual([]);
    }
    expect([created.status, inProgress.status, completed.status]).toEqual([
      'Accepted',
      'InProgress',
      'Completed',
    ]);
    expect(created.id.startsWith(`${ACCOUNT_ID}-${ACCOUNT_ID}-`)).toBe(true);
    expect(created.uri).toBe(
      `${BASE_URL}/restapi/v1.0/account/${ACCOUNT_ID}/message-store-report/${created.id}`,
    );
    expect(archivesWhileAccepted).toBeUndefined();
    expect(Date.parse(completed.lastModifiedTime)).toBe(clock.now());
    expect(tasks.get('no-such-task')).toBeUndefined();
  });

  it('allows two unfinished tasks per account and refuses bad requests', () => {
    // Prepare
    const clock = manualClock();
    const tasks = exportTasks(clock);
    tasks.create({});
    tasks.create({ messageTypes: ['Fax'] });

    // Act
    const third = thrown(() => tasks.create({}));
    const badType = thrown(() => tasks.create({ messageTypes: ['MMS'] }));
    const badDate = thrown(() => tasks.create({ dateFrom: 'yesterday' }));
    clock.advance(400);
    const afterCompletion = tasks.create({});

    // Assess
    expect(third).toBeInstanceOf(ExportLimitError);
    expect(badType).toBeInstanceOf(ExportRequestError);
    expect(badDate).toBeInstanceOf(ExportRequestError);
    expect((badDate as ExportRequestError).parameterName).toBe('dateFrom');
    expect(afterCompletion.status).toBe('Accepted');
    expect(afterCompletion.dateFrom).toBe(new Date(clock.now() - 86_400_000).toISOString());
  });

  it('lists archives 0..n, splitting attachments, each of the declared size', async () => {
    // Prepare
    const clock = manualClock();
    const tasks = exportTasks(clock, { attachmentsPerArchive: 2 });
    const task = tasks.create({ dateFrom: '2026-03-01T00:00:00Z', dateTo: '2026-03-02T00:00:00Z' });
    clock.advance(400);

    // Act
    const archives = tasks.archives(task.id)!;
    const downloads = [];
    for (let index = 0; index < archives.length; index++) {
      downloads.push(await download(tasks, task.id, index));
    }
    const names = [];
    for (const { path } of downloads) {
      const zip = await openZipFile(path);
      names.push(zip.names);
      zip.close();
    }

    // Assess
    expect(contract.validateSchema('MessageStoreReportArchive', { records: archives })).toEqual([]);
    expect(archives.map((archive) => archive.uri)).toEqual(
      [0, 1, 2, 3].map((index) => `${task.uri}/archive/${index}`),
    );
    expect(downloads.map((d) => d.size)).toEqual(archives.map((archive) => archive.size));
    expect(downloads.map((d) => d.declaredSize)).toEqual(archives.map((archive) => archive.size));
    expect(names).toEqual([
      ['message-store.json'],
      [
        '9223372036854775101/9223372036854775105_doc 0_v.pdf',
        '9223372036854775101/9223372036854775106_doc 1_v.pdf',
      ],
      [
        '1234567890123456301/1234567890123456305_doc 0_v.pdf',
        '1234567890123456401/1234567890123456405_doc 0_v.pdf',
      ],
      ['1234567890123456401/1234567890123456406_doc 1_v.pdf'],
    ]);
    expect(tasks.openArchive(task.id, 4)).toBeUndefined();
  });

  it('writes message-store.json with int64 ids exact and attachments byte-identical', async () => {
    // Prepare
    const clock = manualClock();
    const tasks = exportTasks(clock);
    const task = tasks.create({
      dateFrom: '2026-03-01T00:00:00Z',
      dateTo: '2026-03-02T00:00:00Z',
      messageTypes: ['Fax', 'VoiceMail'],
    });
    clock.advance(400);

    // Act
    const metadataZip = await openZipFile((await download(tasks, task.id, 0)).path);
    const metadataText = Buffer.concat(
      await (await metadataZip.read('message-store.json')).toArray(),
    ).toString('utf8');
    metadataZip.close();
    const attachmentsZip = await openZipFile((await download(tasks, task.id, 1)).path);
    const hashes = new Map<string, { inZip: string; original: string }>();
    for (const name of attachmentsZip.names) {
      const [messageId, file] = name.split('/') as [string, string];
      const attachmentId = file.split('_')[0]!;
      hashes.set(name, {
        inZip: (await digest(await attachmentsZip.read(name))).sha256,
        original: (await digest(openAttachment(messageId, attachmentId))).sha256,
      });
    }
    attachmentsZip.close();

    // Assess
    const records = parseKeepingInt64(metadataText) as Array<Record<string, unknown>>;
    const expected = messages.filter(
      (m) => m.availability === 'Alive' && m.type !== 'SMS' && m.creationTime >= '2026-03-01',
    );
    expect(records.map((record) => record.id)).toEqual(expected.map((m) => m.id));
    expect(records.map((record) => record.conversationId)).toEqual(
      expected.map((m) => m.conversationId),
    );
    expect(records[0]!.attachments).toEqual(expected[0]!.attachments);
    expect(records[0]!.subject).toBe(expected[0]!.subject);
    const asNumbers = JSON.parse(metadataText) as unknown[];
    for (const record of asNumbers)
      expect(contract.validateSchema('GetMessageInfoResponse', record)).toEqual([]);
    expect(hashes.size).toBe(5);
    for (const { inZip, original } of hashes.values()) expect(inZip).toBe(original);
  });

  it('streams a large attachment without reading ahead of the consumer', async () => {
    // Prepare
    const big = message('5555555555555555501', 'Fax', '2026-03-01T08:00:00Z', [48 * 2 ** 20]);
    const clock = manualClock();
    let source: ReturnType<typeof generatedAttachment> | undefined;
    const tasks = new ExportTasks({
      accountId: ACCOUNT_ID,
      baseUrl: () => BASE_URL,
      messages: () => [big],
      openAttachment: (_messageId, attachmentId) => {
        source = generatedAttachment(attachmentId, big.attachments[0]!.size);
        return source.stream;
      },
      stepMs: 1,
      now: clock.now,
    });
    const task = tasks.create({ dateFrom: '2026-03-01T00:00:00Z', dateTo: '2026-03-02T00:00:00Z' });
    clock.advance(2);
    const archive = tasks.openArchive(task.id, 1)!;
    const path = join(directory, 'big.zip');
    const file = createWriteStream(path);

    // Act
    let consumed = 0;
    let maxAhead = 0;
    for await (const chunk of archive.stream) {
      consumed += (chunk as Buffer).length;
      file.write(chunk);
      // Let the producer run as far as back-pressure allows before measuring.
      await new Promise((resolve) => setImmediate(resolve));
      if (source) maxAhead = Math.max(maxAhead, source.produced() - consumed);
    }
    await new Promise((resolve) => file.end(resolve));
    const zip = await openZipFile(path);
    const inZip = (await digest(await zip.read(zip.names[0]!))).sha256;
    zip.close();

    // Assess
    expect(consumed).toBe(archive.size);
    expect(maxAhead).toBeLessThan(2 * 2 ** 20);
    expect(inZip).toBe(
      (await digest(generatedAttachment(big.attachments[0]!.id, 48 * 2 ** 20).stream)).sha256,
    );
  });
});
