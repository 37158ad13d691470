import { describe, expect, it } from 'vitest';
import {
  archiveRequestOf,
  InvalidNotificationError,
  NotificationDetailType,
  parseNotification,
} from '../../../lib/webhooks/notification.ts';

const BIG_ID = '1234567890123456789';
const storeEvent = '/restapi/v1.0/account/400131880008/extension/101001/message-store';

function delivery(event: string, body: string): string {
  return `{"uuid":"u-1","event":"${event}","timestamp":"2026-03-01T12:00:00.000Z","subscriptionId":"s-1","ownerId":101001,"body":${body}}`;
}

describe('parseNotification', () => {
  it('summarises a message-store change, keeping 19-digit ids exact', () => {
    // Prepare
    const text = delivery(
      storeEvent,
      `{"extensionId":101001,"lastUpdated":"2026-03-01T12:00:00Z","changes":[{"type":"SMS","newCount":2,"updatedCount":0,"newMessageIds":[${BIG_ID},${BIG_ID},42]}]}`,
    );

    // Act
    const notification = parseNotification(text);

    // Assess
    expect(notification.detailType).toBe(NotificationDetailType.messageStoreChange);
    expect(notification.detail).toMatchObject({
      notificationId: 'u-1',
      subscriptionId: 's-1',
      extensionId: '101001',
      changes: [{ type: 'SMS', newMessageIds: [BIG_ID, BIG_ID, '42'] }],
    });
    expect(archiveRequestOf(notification)).toEqual({
      extensionId: '101001',
      messageIds: [BIG_ID, '42'],
    });
  });

  it('summarises an instant SMS without its text unless asked', () => {
    // Prepare
    const text = delivery(
      `${storeEvent}/instant?type=SMS`,
      `{"id":${BIG_ID},"type":"SMS","direction":"Inbound","from":{"phoneNumber":"+16505550199"},"to":[{"phoneNumber":"+16505550101"}],"subject":"secret words","conversationId":${BIG_ID}}`,
    );

    // Act
    const plain = parseNotification(text);
    const withText = parseNotification(text, { includeText: true });

    // Assess
    expect(plain.detailType).toBe(NotificationDetailType.instantMessage);
    expect(JSON.stringify(plain)).not.toContain('secret words');
    expect(plain.detail).toMatchObject({
      message: { id: BIG_ID, conversationId: BIG_ID, from: '+16505550199' },
    });
    expect(JSON.stringify(withText)).toContain('secret words');
    expect(archiveRequestOf(plain)).toBeUndefined();
  });

  it('passes other events through as a header-only summary', () => {
    // Prepare
    const text = delivery(
      '/restapi/v1.0/account/~/extension/~/presence',
      '{"presenceStatus":"Available"}',
    );

    // Act
    const notification = parseNotification(text);

    // Assess
    expect(notification.kind).toBe('other');
    expect(Object.keys(notification.detail).sort()).toEqual([
      'event',
      'notificationId',
      'subscriptionId',
      'timestamp',
    ]);
  });

  it.each([
    ['not JSON', '{', '(body)'],
    ['no uuid', '{"event":"/x","subscriptionId":"s"}', 'uuid'],
    [
      'a bad id list',
      delivery(storeEvent, '{"extensionId":1,"changes":[{"type":"SMS","newMessageIds":["x"]}]}'),
      'body.changes[0].newMessageIds[0]',
    ],
  ])('rejects %s, naming the field', (_name, text, field) => {
    // Prepare
    const parse = () => parseNotification(text);

    // Act
    let caught: unknown;
    try {
      parse();
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(InvalidNotificationError);
    expect((caught as InvalidNotificationError).field).toBe(field);
  });
});
