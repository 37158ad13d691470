import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageLocator } from '../../../lib/archive/ports.ts';
import { createLocatorStore } from '../../../lib/aws/locator-store.ts';
import { createStateTable } from '../../../lib/aws/state-table.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';
import { startDynalite } from '../../support/dynalite.ts';

type BatchInput = { RequestItems: Record<string, Array<{ PutRequest: unknown }>> };
type BatchOutput = { UnprocessedItems?: Record<string, unknown[]> };

/** A client on dynalite that counts BatchWriteItem requests and can hold items back once. */
function observedClient(dynamo: LocalDynamo, holdBackOnce = 0) {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const batches: number[] = [];
  let toHoldBack = holdBackOnce;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const input = args.input as BatchInput;
      const [table, requests = []] = Object.entries(input.RequestItems)[0] ?? [];
      batches.push(requests.length);
      // What DynamoDB does under throttling: it writes some items and returns the rest.
      const held = toHoldBack > 0 && table ? requests.splice(requests.length - toHoldBack) : [];
      toHoldBack = 0;
      const result = await next(args);
      if (held.length > 0 && table) {
        (result.output as BatchOutput).UnprocessedItems = { [table]: held };
      }
      return result;
    },
    { step: 'initialize', name: 'observeBatchWrites' },
  );
  return { client, batches };
}

function locators(count: number): MessageLocator[] {
  return Array.from({ length: count }, (_, index) => ({
    accountId: '400131880008',
    extensionId: '101001',
    messageId: String(1_724_099_032_000 + index),
    key: `archive/400131880008/101001/2026/11/26/${1_724_099_032_000 + index}/message.json`,
  }));
}

describe('createLocatorStore against dynalite', () => {
  let dynamo: LocalDynamo;
  let tableName: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    tableName = await dynamo.createStateTable();
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it("writes a run's locators 25 per request and finds each message.json by id", async () => {
    // Prepare
    const { client, batches } = observedClient(dynamo);
    const store = createLocatorStore(createStateTable({ tableName, client }));
    const written = locators(60);

    // Act
    await store.put(written);
    const found = await Promise.all(
      written.map((locator) =>
        store.get(locator.accountId, locator.extensionId, locator.messageId),
      ),
    );

    // Assess
    expect(batches).toEqual([25, 25, 10]);
    expect(found).toEqual(written.map((locator) => locator.key));
    expect(await store.get('400131880008', '101001', '999')).toBeUndefined();
    expect(await store.get('400131880008', '101002', written[0]!.messageId)).toBeUndefined();
  });

  it('sends the items DynamoDB left unprocessed again', async () => {
    // Prepare
    const { client, batches } = observedClient(dynamo, 5);
    const store = createLocatorStore(createStateTable({ tableName, client }));
    const written = locators(20).map((locator) => ({ ...locator, extensionId: '202002' }));

    // Act
    await store.put(written);
    const found = await Promise.all(
      written.map((locator) =>
        store.get(locator.accountId, locator.extensionId, locator.messageId),
      ),
    );

    // Assess
    expect(batches).toEqual([20, 5]);
    expect(found).toEqual(written.map((locator) => locator.key));
  });
});
