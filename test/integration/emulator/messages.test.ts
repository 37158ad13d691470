import { beforeEach, describe, expect, it } from 'vitest';
import { exactJson, type Harness, harnessPerTest, INVALID_REQUEST } from './harness.ts';

interface Record_ {
  id: string;
  conversationId?: string;
  conversation?: { id: string };
  type: string;
  direction: string;
  readStatus: string;
  availability: string;
  creationTime: string;
  attachments: Array<{ id: string; uri: string }>;
}

interface ListBody {
  records: Record_[];
  paging: { page: number; perPage: number; totalPages: number; totalElements: number };
  navigation: { nextPage?: { uri: string }; previousPage?: { uri: string } };
}

const SINCE = 'dateFrom=2000-01-01T00:00:00Z';

describe('local RingCentral message store', () => {
  let harness: Harness;
  const start = harnessPerTest();

  beforeEach(async () => {
    harness = await start({ mailbox: { seed: 7, extensions: 2, messagesPerExtension: 60 } });
  });

  async function list(query: string): Promise<ListBody> {
    const response = await fetch(harness.ext(`/message-store?${query}`), { headers: harness.auth });
    expect(response.status).toBe(200);
    return (await exactJson(response)) as ListBody;
  }

  it('pages newest first with paging and navigation, perPage capped at 1000', async () => {
    // Prepare
    const all = harness.emulator.mailbox.find('101001', { availability: ['Alive'] });

    // Act
    const first = await list(`${SINCE}&perPage=25`);
    const second = await fetch(first.navigation.nextPage?.uri ?? '', {
      headers: harness.auth,
    }).then((response) => exactJson(response) as Promise<ListBody>);
    const capped = await list(`${SINCE}&perPage=5000`);

    // Assess
    expect(first.paging).toMatchObject({ page: 1, perPage: 25, totalElements: all.length });
    expect(first.records.map((record) => record.id)).toEqual(
      all.slice(0, 25).map((message) => message.id),
    );
    expect(second.records.map((record) => record.id)).toEqual(
      all.slice(25, 50).map((message) => message.id),
    );
    expect(second.navigation.previousPage).toBeDefined();
    expect(capped.paging.perPage).toBe(1000);
  });

  it('defaults dateFrom to 24 hours before dateTo', async () => {
    // Prepare
    const dayAgo = Date.now() - 86_400_000;
    const expected = harness.emulator.mailbox
      .find('101001', { availability: ['Alive'] })
      .filter((message) => Date.parse(message.creationTime) >= dayAgo);

    // Act
    const body = await list('perPage=1000');

    // Assess
    expect(body.records.map((record) => record.id)).toEqual(expected.map((message) => message.id));
  });

  it('filters by type, direction, read status and conversation, keeping 19-digit ids exact', async () => {
    // Prepare
    const sms = await list(`${SINCE}&messageType=SMS&perPage=1000`);
    const conversationId = sms.records[0]?.conversationId ?? '';

    // Act
    const inboundUnread = await list(`${SINCE}&direction=Inbound&readStatus=Unread&perPage=1000`);
    const conversation = await list(`${SINCE}&conversationId=${conversationId}&perPage=1000`);

    // Assess
    expect(sms.records.length).toBeGreaterThan(0);
    expect(sms.records.every((record) => record.type === 'SMS')).toBe(true);
    expect(conversationId).toMatch(/^\d{19}$/);
    expect(sms.records[0]?.conversation?.id).toBe(conversationId);
    expect(
      inboundUnread.records.every((r) => r.direction === 'Inbound' && r.readStatus === 'Unread'),
    ).toBe(true);
    expect(conversation.records.length).toBeGreaterThan(0);
    expect(conversation.records.every((record) => record.conversationId === conversationId)).toBe(
      true,
    );
  });

  it('returns only the newest message per conversation with distinctConversations', async () => {
    // Prepare
    const all = await list(`${SINCE}&messageType=SMS&perPage=1000`);
    const conversations = new Set(all.records.map((record) => record.conversationId));

    // Act
    const distinct = await list(`${SINCE}&messageType=SMS&perPage=1000&distinctConversations=true`);

    // Assess
    expect(all.records.length).toBeGreaterThan(conversations.size);
    expect(distinct.records.map((record) => record.conversationId)).toEqual([...conversations]);
  });

  it('rejects an invalid filter value with 400 CMN-101', async () => {
    // Act
    const response = await fetch(harness.ext(`/message-store?messageType=Carrier`), {
      headers: { ...harness.auth, ...INVALID_REQUEST },
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errors: [{ errorCode: 'CMN-101', parameterName: 'messageType' }],
    });
  });

  it('reads several ids as 207 in multipart/mixed and in the JSON format', async () => {
    // Prepare
    const [a, b] = (await list(`${SINCE}&perPage=2`)).records;
    const ids = `${a?.id},${b?.id},1`;

    // Act
    const mixed = await fetch(harness.ext(`/message-store/${ids}`), { headers: harness.auth });
    const mixedText = await mixed.text();
    const json = await fetch(harness.ext(`/message-store/${ids}`), {
      headers: { ...harness.auth, accept: 'application/vnd.ringcentral.multipart+json' },
    });
    const parts = (await exactJson(json)) as Array<{
      resourceId: string;
      status: number;
      body: { id?: string };
    }>;

    // Assess
    expect(mixed.status).toBe(207);
    expect(mixed.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
    expect(mixedText).toContain('"response":[');
    expect(json.status).toBe(207);
    expect(parts.map((part) => [part.resourceId, part.status])).toEqual([
      [a?.id, 200],
      [b?.id, 200],
      ['1', 404],
    ]);
    expect(parts[0]?.body.id).toBe(a?.id);
  });

  it('updates read status with PUT and PATCH, single and bulk', async () => {
    // Prepare
    const [a, b, c] = (await list(`${SINCE}&perPage=3`)).records;

    // Act
    const put = await fetch(harness.ext(`/message-store/${a?.id}`), {
      method: 'PUT',
      headers: { ...harness.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ readStatus: 'Unread' }),
    });
    const bulk = await fetch(harness.ext(`/message-store/${b?.id},${c?.id}`), {
      method: 'PATCH',
      headers: {
        ...harness.auth,
        'content-type': 'application/json',
        accept: 'application/vnd.ringcentral.multipart+json',
      },
      body: JSON.stringify({ readStatus: 'Read' }),
    });

    // Assess
    expect(put.status).toBe(200);
    expect(((await exactJson(put)) as Record_).readStatus).toBe('Unread');
    expect(bulk.status).toBe(207);
    expect(harness.emulator.mailbox.get('101001', b?.id ?? '')?.readStatus).toBe('Read');
    expect(harness.emulator.mailbox.get('101001', c?.id ?? '')?.readStatus).toBe('Read');
  });

  it('takes a bulk PUT body as multipart/mixed, one JSON part per id', async () => {
    // Prepare
    const [a, b] = (await list(`${SINCE}&perPage=2`)).records;
    const boundary = 'bulk-boundary';
    const part = (readStatus: string) =>
      `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ readStatus })}\r\n`;

    // Act
    const response = await fetch(harness.ext(`/message-store/${a?.id},${b?.id}`), {
      method: 'PUT',
      headers: { ...harness.auth, 'content-type': `multipart/mixed; boundary=${boundary}` },
      body: `${part('Unread')}${part('Read')}--${boundary}--\r\n`,
    });

    // Assess
    expect(response.status).toBe(207);
    expect(harness.emulator.mailbox.get('101001', a?.id ?? '')?.readStatus).toBe('Unread');
    expect(harness.emulator.mailbox.get('101001', b?.id ?? '')?.readStatus).toBe('Read');
  });

  it('moves a message Alive -> Deleted -> (restore) Alive -> Purged, erasing attachments', async () => {
    // Prepare
    const withAttachment = harness.emulator.mailbox
      .find('101001', { availability: ['Alive'] })
      .find((message) => message.attachments.length > 0 && message.type === 'Fax');
    const id = withAttachment?.id ?? '';
    const contentUri = withAttachment?.attachments[0]?.uri ?? '';
    const patch = (body: unknown) =>
      fetch(harness.ext(`/message-store/${id}`), {
        method: 'PATCH',
        headers: { ...harness.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // Act
    const deleted = await fetch(harness.ext(`/message-store/${id}`), {
      method: 'DELETE',
      headers: harness.auth,
    });
    const afterDelete = harness.emulator.mailbox.get('101001', id)?.availability;
    const restored = await patch({ availability: 'Alive' });
    const purged = await fetch(harness.ext(`/message-store/${id}?purge=true`), {
      method: 'DELETE',
      headers: harness.auth,
    });
    const afterPurge = harness.emulator.mailbox.get('101001', id);
    const restorePurged = await patch({ availability: 'Alive' });
    const content = await fetch(contentUri, { headers: harness.auth });

    // Assess
    expect(deleted.status).toBe(204);
    expect(afterDelete).toBe('Deleted');
    expect(restored.status).toBe(200);
    expect(purged.status).toBe(204);
    expect(afterPurge?.availability).toBe('Purged');
    expect(afterPurge?.attachments).toEqual([]);
    expect(restorePurged.status).toBe(400);
    expect(content.status).toBe(404);
    expect(harness.emulator.stats()).toMatchObject({ deleted: 1, purged: 1 });
  });

  it('bulk-deletes with 204 when all succeed, 207 when one fails, CMN-106 over 50 ids', async () => {
    // Prepare
    const records = (await list(`${SINCE}&perPage=4`)).records;
    const tooMany = Array.from({ length: 51 }, (_, index) => String(1000 + index)).join(',');

    // Act
    const allGood = await fetch(harness.ext(`/message-store/${records[0]?.id},${records[1]?.id}`), {
      method: 'DELETE',
      headers: harness.auth,
    });
    const oneBad = await fetch(harness.ext(`/message-store/${records[2]?.id},999`), {
      method: 'DELETE',
      headers: { ...harness.auth, accept: 'application/vnd.ringcentral.multipart+json' },
    });
    const oneBadBody = (await exactJson(oneBad)) as Array<{ resourceId: string; status: number }>;
    const overLimit = await fetch(harness.ext(`/message-store/${tooMany}`), {
      method: 'DELETE',
      headers: harness.auth,
    });

    // Assess
    expect(allGood.status).toBe(204);
    expect(oneBad.status).toBe(207);
    expect(oneBadBody.map((part) => part.status)).toEqual([204, 404]);
    expect(overLimit.status).toBe(400);
    expect(await overLimit.json()).toMatchObject({ errors: [{ errorCode: 'CMN-106' }] });
  });

  it('deletes a conversation by filter', async () => {
    // Prepare
    const sms = await list(`${SINCE}&messageType=SMS&perPage=1000`);
    const conversationId = sms.records[0]?.conversationId ?? '';
    const before = harness.emulator.mailbox.find('101001', {
      conversationId,
      availability: ['Alive'],
    }).length;

    // Act
    const response = await fetch(harness.ext(`/message-store?conversationId=${conversationId}`), {
      method: 'DELETE',
      headers: harness.auth,
    });

    // Assess
    expect(before).toBeGreaterThan(0);
    expect(response.status).toBe(204);
    expect(
      harness.emulator.mailbox.find('101001', { conversationId, availability: ['Alive'] }),
    ).toEqual([]);
    expect(harness.emulator.stats().deleted).toBe(before);
  });

  it('reads another extension of the account by its id and 404s for an unknown one', async () => {
    // Act
    const other = await fetch(
      `${harness.emulator.url}/restapi/v1.0/account/~/extension/101002/message-store?${SINCE}`,
      {
        headers: harness.auth,
      },
    );
    const unknown = await fetch(
      `${harness.emulator.url}/restapi/v1.0/account/~/extension/999/message-store`,
      {
        headers: harness.auth,
      },
    );

    // Assess
    expect(other.status).toBe(200);
    const body = (await exactJson(other)) as ListBody;
    expect(body.records.length).toBe(
      harness.emulator.mailbox.find('101002', { availability: ['Alive'] }).length,
    );
    expect(unknown.status).toBe(404);
  });
});
