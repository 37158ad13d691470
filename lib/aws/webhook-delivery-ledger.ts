/**
 * The webhook's delivery ledger on the state table: `pk = webhook-delivery#<uuid>`,
 * `sk = delivery`, written by a conditional put (absent or expired) with a TTL, so each
 * delivery uuid is admitted once while it could still pass the time window.
 */
import type { DeliveryLedger } from '../webhooks/delivery-guard.ts';
import type { StateTable } from './state-table.ts';

/** Every ledger partition starts with this. */
export const WEBHOOK_DELIVERY_PARTITION_PREFIX = 'webhook-delivery#';
const SORT_KEY = 'delivery';

const partition = (uuid: string): string => `${WEBHOOK_DELIVERY_PARTITION_PREFIX}${uuid}`;

/** Creates the ledger on the state table. */
export function createWebhookDeliveryLedger(
  table: Pick<StateTable, 'put' | 'delete'>,
): DeliveryLedger {
  return {
    claim: (uuid, ttlSeconds) => table.put(partition(uuid), SORT_KEY, {}, 0, { ttlSeconds }),
    release: (uuid) => table.delete(partition(uuid), SORT_KEY),
  };
}
