import { describe, expect, it } from 'vitest';
import { attachmentKey, messageKey, messageLocation } from '../../../lib/archive/layout.ts';
import { createListedObjectStore, dayPrefix } from '../../../lib/archive/listed-objects.ts';
import { archiveRecord, attachmentBytes, messageRecord } from '../purge/fixture.ts';
import { createMemoryStore } from '../purge/memory-store.ts';

const day = '2024-03-01T';

function records(count: number) {
  return Array.from({ length: count }, (_, index) =>
    messageRecord({
      id: `17240000000000000${String(index + 10)}`,
      creationTime: `${day}${String(10 + (index % 10))}:00:00.000Z`,
      attachmentSizes: [50],
    }),
  );
}

async function storeWith(archivedCount: number, pageSize?: number) {
  const store = createMemoryStore({ etags: true, ...(pageSize ? { pageSize } : {}) });
  const all = records(8);
  for (const record of all.slice(0, archivedCount)) {
    await archiveRecord(store, record, (id) => attachmentBytes(id, 50));
  }
  const first = all[0];
  if (!first) throw new Error('no records');
  return { store, all, prefix: dayPrefix(messageLocation(first)) };
}

describe('the listed view of the archive', () => {
  it('answers absent keys of a listed day from one listing and asks about present ones', async () => {
    // Prepare
    const { store, all, prefix } = await storeWith(3);
    const listed = createListedObjectStore(store);
    listed.plan(prefix, 1);

    // Act
    const manifests = await Promise.all(all.map((record) => listed.getText(messageKey(record))));
    const heads = await Promise.all(
      all.map((record) => {
        const attachment = record.attachments?.[0];
        if (!attachment) throw new Error('no attachment');
        return listed.head(attachmentKey(record, attachment));
      }),
    );

    // Assess
    expect(manifests.map((text) => text !== undefined)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(heads.map((info) => info?.size)).toEqual([50, 50, 50, ...Array(5).fill(undefined)]);
    expect(store.reads).toEqual({ head: 3, getText: 3, listPages: 1 });
  });

  it('sees what the run writes after the listing', async () => {
    // Prepare
    const { store, all, prefix } = await storeWith(0);
    const listed = createListedObjectStore(store);
    listed.plan(prefix, 1);
    const record = all[5];
    if (!record) throw new Error('no record');
    const key = messageKey(record);
    const before = await listed.getText(key);

    // Act
    await listed.put(key, '{"written":true}\n', { contentType: 'application/json' });
    const after = await listed.getText(key);

    // Assess
    expect(before).toBeUndefined();
    expect(after).toBe('{"written":true}\n');
  });

  it('asks about every key when the listing is longer than its page budget', async () => {
    // Prepare
    const { store, all, prefix } = await storeWith(8, 4);
    const listed = createListedObjectStore(store);
    listed.plan(prefix, 2);
    const fresh = messageRecord({ id: '1724000000000000099', creationTime: `${day}23:00:00.000Z` });

    // Act
    const known = await listed.getText(messageKey(all[0] ?? fresh));
    const absent = await listed.getText(messageKey(fresh));

    // Assess
    expect(known).toBeDefined();
    expect(absent).toBeUndefined();
    expect(store.reads).toEqual({ head: 0, getText: 2, listPages: 2 });
  });

  it('leaves keys outside every planned day to the store', async () => {
    // Prepare
    const { store, all } = await storeWith(2);
    const listed = createListedObjectStore(store);
    listed.plan('archive/other/prefix/', 1);

    // Act
    const texts = await Promise.all(all.map((record) => listed.getText(messageKey(record))));

    // Assess
    expect(texts.filter((text) => text !== undefined)).toHaveLength(2);
    expect(store.reads).toEqual({ head: 0, getText: 8, listPages: 0 });
  });
});
