/**
 * The archive's locators on the state table: one item per message under
 * `pk = locator#<accountId>#<extensionId>`, `sk = <messageId>`, value `{ key }` (its message.json
 * key). A run writes the locators of all its records in a few BatchWriteItem requests, where one
 * object per message in the bucket cost a PutObject each.
 */
import type { LocatorStore, MessageLocator } from '../archive/ports.ts';
import type { StateTable } from './state-table.ts';

/** The partition key of one mailbox's locators. */
export function locatorPartition(accountId: string, extensionId: string): string {
  return `locator#${accountId}#${extensionId}`;
}

/** Creates the LocatorStore on the state table. */
export function createLocatorStore(table: Pick<StateTable, 'get' | 'putAll'>): LocatorStore {
  return {
    put: async (locators: readonly MessageLocator[], options) => {
      await table.putAll(
        locators.map(({ accountId, extensionId, messageId, key }) => ({
          pk: locatorPartition(accountId, extensionId),
          sk: messageId,
          value: { key },
        })),
        options,
      );
    },
    get: async (accountId, extensionId, messageId) => {
      const stored = await table.get<{ key?: unknown }>(
        locatorPartition(accountId, extensionId),
        messageId,
      );
      return typeof stored?.key === 'string' ? stored.key : undefined;
    },
  };
}
