import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { digest } from '../../support/digest.ts';
import { exactJson, type Harness, harnessPerTest, INVALID_REQUEST } from './harness.ts';

interface SyncBody {
  records: Array<{ id: string; availability: string; type?: string; uri?: string }>;
  syncInfo: { syncType: string; syncToken: string; olderRecordsExist: boolean };
}

const SINCE = 'dateFrom=2000-01-01T00:00:00Z';

describe('local RingCentral message sync', () => {
  let harness: Harness;
  const start = harnessPerTest();

  async function sync(query: string): Promise<SyncBody> {
    const response = await fetch(harness.ext(`/message-sync?${query}`), { headers: harness.auth });
    expect(response.status).toBe(200);
    return (await exactJson(response)) as SyncBody;
  }

  it('FSyncs alive messages, then ISyncs only new and changed ones, deleted ones reduced', async () => {
    // Prepare
    harness = await start({ mailbox: { seed: 3, messagesPerExtension: 40 } });
    const { mailbox } = harness.emulator;
    const full = await sync(`syncType=FSync&${SINCE}`);
    const [toDelete, toRead] = full.records;
    await fetch(harness.ext(`/message-store/${toDelete?.id}`), {
      method: 'DELETE',
      headers: harness.auth,
    });
    await fetch(harness.ext(`/message-store/${toRead?.id}`), {
      method: 'PUT',
      headers: { ...harness.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ readStatus: 'Read' }),
    });
    const [arrived] = mailbox.receive('101001', {
      type: 'SMS',
      from: { phoneNumber: '+14155550100' },
      to: [{ phoneNumber: '+16505550101' }],
      subject: 'new one',
    });

    // Act
    const incremental = await sync(
      `syncType=ISync&syncToken=${encodeURIComponent(full.syncInfo.syncToken)}`,
    );
    const again = await sync(
      `syncType=ISync&syncToken=${encodeURIComponent(incremental.syncInfo.syncToken)}`,
    );

    // Assess
    expect(full.syncInfo.syncType).toBe('FSync');
    expect(full.records.length).toBe(mailbox.find('101001', { availability: ['Alive'] }).length);
    const byId = new Map(incremental.records.map((record) => [record.id, record]));
    expect([...byId.keys()].sort()).toEqual([toDelete?.id, toRead?.id, arrived?.id].sort());
    expect(byId.get(toDelete?.id ?? '')).toEqual({ id: toDelete?.id, availability: 'Deleted' });
    expect(byId.get(arrived?.id ?? '')?.type).toBe('SMS');
    expect(again.records).toEqual([]);
  });

  it('limits FSync by recordCount and says older records exist', async () => {
    // Prepare
    harness = await start({ mailbox: { seed: 3, messagesPerExtension: 40 } });

    // Act
    const limited = await sync(`syncType=FSync&${SINCE}&recordCount=5`);

    // Assess
    expect(limited.records).toHaveLength(5);
    expect(limited.syncInfo.olderRecordsExist).toBe(true);
  });

  it('answers 400 MSG-333 to an unknown or garbled sync token', async () => {
    // Prepare
    harness = await start();
    const other = await start();
    const foreign = (
      (await await fetch(other.ext(`/message-sync?syncType=FSync`), { headers: other.auth }).then(
        exactJson,
      )) as SyncBody
    ).syncInfo.syncToken;
    await other.stop();

    // Act
    const garbled = await fetch(harness.ext('/message-sync?syncType=ISync&syncToken=garbage'), {
      headers: harness.auth,
    });
    const fromOtherRun = await fetch(
      harness.ext(`/message-sync?syncType=ISync&syncToken=${encodeURIComponent(foreign)}`),
      {
        headers: harness.auth,
      },
    );

    // Assess
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ errors: [{ errorCode: 'MSG-333' }] });
    expect(fromOtherRun.status).toBe(400);
  });
});

describe('local RingCentral attachment content', () => {
  let harness: Harness;
  const start = harnessPerTest();

  it('serves content on the media host with headers and the generator digest', async () => {
    // Prepare
    harness = await start();
    const fax = harness.emulator.mailbox
      .messages('101001')
      .find((message) => message.type === 'Fax');
    const attachment = fax?.attachments[0];

    // Act
    const response = await fetch(attachment?.uri ?? '', { headers: harness.auth });
    const [actual, expected] = await Promise.all([
      digest(response.body ?? Readable.from([])).then((result) => result.sha256),
      harness.emulator.mailbox.attachmentSha256(attachment?.id ?? ''),
    ]);

    // Assess
    expect(attachment?.uri.startsWith(harness.emulator.mediaUrl)).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(attachment?.size));
    expect(response.headers.get('content-type')).toBe(attachment?.contentType);
    expect(response.headers.get('content-disposition')).toContain(attachment?.fileName ?? '');
    expect(actual).toBe(expected);
  });

  it('answers Range with 206 and identical bytes, past the end with 416 CMN-107', async () => {
    // Prepare
    harness = await start();
    const fax = harness.emulator.mailbox
      .messages('101001')
      .find((message) => message.type === 'Fax');
    const attachment = fax?.attachments[0];
    const size = attachment?.size ?? 0;
    const whole = Buffer.from(
      await (await fetch(attachment?.uri ?? '', { headers: harness.auth })).arrayBuffer(),
    );

    // Act
    const partial = await fetch(attachment?.uri ?? '', {
      headers: { ...harness.auth, range: 'bytes=1000-70999' },
    });
    const partialBytes = Buffer.from(await partial.arrayBuffer());
    const suffix = await fetch(attachment?.uri ?? '', {
      headers: { ...harness.auth, range: 'bytes=-10' },
    });
    const beyond = await fetch(attachment?.uri ?? '', {
      headers: { ...harness.auth, range: `bytes=${size}-` },
    });

    // Assess
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 1000-70999/${size}`);
    expect(partialBytes.equals(whole.subarray(1000, 71000))).toBe(true);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(whole.subarray(size - 10))).toBe(true);
    expect(beyond.status).toBe(416);
    expect(await beyond.json()).toMatchObject({ errors: [{ errorCode: 'CMN-107' }] });
  });

  it('accepts the access_token query parameter on the media host only', async () => {
    // Prepare
    harness = await start();
    const attachment = harness.emulator.mailbox
      .messages('101001')
      .flatMap((message) => message.attachments)
      .find((candidate) => candidate.contentType !== 'text/plain');
    const token = harness.auth.authorization?.replace('Bearer ', '') ?? '';
    const platformUri = (attachment?.uri ?? '').replace(
      harness.emulator.mediaUrl,
      harness.emulator.url,
    );

    // Act
    const media = await fetch(`${attachment?.uri}?access_token=${token}`, {
      headers: INVALID_REQUEST,
    });
    const platform = await fetch(`${platformUri}?access_token=${token}`, {
      headers: INVALID_REQUEST,
    });

    // Assess
    expect(media.status).toBe(200);
    await media.arrayBuffer();
    expect(platform.status).toBe(401);
  });

  it('streams a 300 MB attachment without growing its own memory', async () => {
    // Prepare
    const size = 300 * 2 ** 20;
    harness = await start({
      mailbox: { messagesPerExtension: 1, fixedAttachmentBytes: [size] },
    });
    const attachment = harness.emulator.mailbox
      .messages('101001')
      .find((message) => message.attachments[0]?.size === size)?.attachments[0];
    // The client runs in a child process so only the emulator's memory is measured here.
    const client = `const http=require('node:http');let n=0;http.get(process.argv[1],{headers:{authorization:process.argv[2]}},(r)=>{r.on('data',(c)=>{n+=c.length});r.on('end',()=>{process.stdout.write(String(n))})});`;
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);

    // Act
    const received = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['-e', client, attachment?.uri ?? '', harness.auth.authorization ?? ''],
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    clearInterval(sampler);

    // Assess
    expect(Number(received)).toBe(size);
    expect(peak - before).toBeLessThan(48 * 2 ** 20);
  });
});
