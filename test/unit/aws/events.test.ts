import { afterEach, describe, expect, it } from 'vitest';
import { createEventPublisher, EventPublishError } from '../../../lib/aws/events.ts';
import { JsonInteger } from '../../../lib/ringcentral/index.ts';
import type { FakeEventBridge } from '../../support/aws-fakes.ts';
import { fakeEventBridge } from '../../support/aws-fakes.ts';

describe('createEventPublisher', () => {
  let fake: FakeEventBridge | undefined;
  afterEach(() => {
    fake?.restore();
    fake = undefined;
  });

  it('publishes in chunks of at most 10 entries, with bus, source and JSON detail', async () => {
    // Prepare
    fake = fakeEventBridge();
    const publisher = createEventPublisher({
      busName: 'bus',
      source: 'rc.webhook',
      client: fake.client,
    });
    const entries = Array.from({ length: 23 }, (_, index) => ({
      detailType: 'Message Received',
      detail: { messageId: `${9_000_000_000_000_000_000n + BigInt(index)}`, index },
    }));

    // Act
    await publisher.publish(entries);

    // Assess
    expect(fake.calls()).toBe(3);
    expect(fake.entries).toHaveLength(23);
    expect(fake.entries[22]).toMatchObject({
      EventBusName: 'bus',
      Source: 'rc.webhook',
      DetailType: 'Message Received',
    });
    expect(JSON.parse(fake.entries[22]?.Detail ?? '{}')).toEqual({
      messageId: '9000000000000000022',
      index: 22,
    });
  });

  it('writes JsonInteger ids digit for digit', async () => {
    // Prepare
    fake = fakeEventBridge();
    const publisher = createEventPublisher({ busName: 'bus', source: 's', client: fake.client });

    // Act
    await publisher.publish([
      { detailType: 'X', detail: { id: new JsonInteger('9223372036854775807') } },
    ]);

    // Assess
    expect(fake.entries[0]?.Detail).toBe('{"id":9223372036854775807}');
  });

  it('throws when any entry was refused, after sending every chunk', async () => {
    // Prepare
    fake = fakeEventBridge({ fail: (entry) => entry.DetailType === 'Bad' });
    const publisher = createEventPublisher({ busName: 'bus', source: 's', client: fake.client });
    const entries = [
      ...Array.from({ length: 10 }, () => ({ detailType: 'Good', detail: {} })),
      { detailType: 'Bad', detail: {} },
    ];

    // Act
    const failure = await publisher.publish(entries).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(EventPublishError);
    expect((failure as EventPublishError).failures).toEqual([
      { detailType: 'Bad', errorCode: 'InternalFailure' },
    ]);
    expect(fake.entries).toHaveLength(10);
  });
});
