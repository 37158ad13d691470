import { describe, expect, it } from 'vitest';
import type { ListedObject } from '../../../lib/archive/ports.ts';
import type { ExtensionEntry } from '../../../lib/extensions/ports.ts';
import { daysBetween, reconcile } from '../../../lib/extensions/reconciliation.ts';
import type { MessagePage, MessageRecord } from '../../../lib/ringcentral/index.ts';

const ACCOUNT = '400131880008';
const DATE = '2026-03-01';

function record(extensionId: string, id: string, type = 'SMS'): MessageRecord {
  return {
    id,
    type,
    uri: `https://platform/restapi/v1.0/account/${ACCOUNT}/extension/${extensionId}/message-store/${id}`,
    creationTime: `${DATE}T10:00:00.000Z`,
  } as MessageRecord;
}

function entry(id: string): ExtensionEntry {
  return { id, type: 'User', status: 'Enabled', firstSeen: '', lastSeen: '', archived: true };
}

/** Three extensions with one message each, all archived; a clock one second per listing. */
function world() {
  let clock = 0;
  const listed: string[] = [];
  return {
    listed,
    now: () => clock,
    dependencies: {
      registry: {
        async *list() {
          for (const id of ['101', '102', '103']) yield entry(id);
        },
      },
      messages: {
        list: (filter?: { extensionId?: string }) => ({
          async *[Symbol.asyncIterator](): AsyncGenerator<MessagePage> {
            clock += 1_000;
            listed.push(filter?.extensionId ?? '');
            yield {
              records: [record(filter?.extensionId ?? '', `m${filter?.extensionId}`)],
            } as MessagePage;
          },
        }),
      },
      objects: {
        list: async (prefix: string): Promise<ListedObject[]> => {
          const extension = prefix.split('/')[2];
          return [{ key: `${prefix}m${extension}/message.json`, size: 2 }];
        },
      },
    },
  };
}

describe('reconcile', () => {
  it('stops at the deadline with where to resume, and the next run does only the rest', async () => {
    // Prepare: the deadline (minus the reserve) passes after the second listing.
    const first = world();

    // Act
    const stopped = await reconcile(first.dependencies, {
      days: [DATE],
      deadline: 2_000 + 10_000,
      now: first.now,
    });
    const second = world();
    const resumed = await reconcile(second.dependencies, {
      days: [DATE],
      resumeAfter: stopped.resumeAfter?.extensionId,
      now: second.now,
    });

    // Assess
    expect(first.listed).toEqual(['101', '102']);
    expect(stopped.resumeAfter).toEqual({ date: DATE, extensionId: '102' });
    expect(second.listed).toEqual(['103']);
    expect(resumed.resumeAfter).toBeUndefined();
    expect([...stopped.extensions, ...resumed.extensions].map((day) => day.missing)).toEqual([
      0, 0, 0,
    ]);
  });

  it('lists the days of a range, inclusive, and refuses a reversed one', () => {
    // Act
    const days = daysBetween('2026-02-27', '2026-03-01');

    // Assess
    expect(days).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => daysBetween('2026-03-02', '2026-03-01')).toThrow(RangeError);
  });
});
