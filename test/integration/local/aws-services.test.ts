import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PutEventEntry,
  type RunningAwsServices,
  startAwsServices,
} from '../../../local/stack/aws-services.ts';

const clientSettings = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

describe('local AWS endpoint (Secrets Manager, EventBridge, Lambda) with the real SDK clients', () => {
  let services: RunningAwsServices;
  const events: Array<PutEventEntry & { id: string }> = [];
  const invocations: Array<{ name: string; payload: string; type: string }> = [];
  let secrets: SecretsManagerClient;
  let eventBridge: EventBridgeClient;
  let lambda: LambdaClient;

  beforeAll(async () => {
    services = await startAwsServices({
      secrets: { credentials: { clientId: 'id' }, session: {} },
      functions: ['archive'],
      onEvent: (entry) => events.push(entry),
      onInvoke: async (name, payload, type) => {
        invocations.push({ name, payload, type });
        return { payload: JSON.stringify({ echoed: JSON.parse(payload) as unknown }) };
      },
    });
    secrets = new SecretsManagerClient({ ...clientSettings, endpoint: services.url });
    eventBridge = new EventBridgeClient({ ...clientSettings, endpoint: services.url });
    lambda = new LambdaClient({ ...clientSettings, endpoint: services.url });
  });

  afterAll(async () => {
    for (const client of [secrets, eventBridge, lambda]) client.destroy();
    await services.stop();
  });

  it('returns what PutSecretValue stored, by name or ARN', async () => {
    // Prepare
    const value = JSON.stringify({ accessToken: 'a', conversationId: '7241000000000000001' });

    // Act
    await secrets.send(new PutSecretValueCommand({ SecretId: 'session', SecretString: value }));
    const byName = await secrets.send(new GetSecretValueCommand({ SecretId: 'session' }));
    const byArn = await secrets.send(new GetSecretValueCommand({ SecretId: byName.ARN }));

    // Assess
    expect(byName.SecretString).toBe(value);
    expect(byArn.SecretString).toBe(value);
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    expect(services.writes('session')).toBe(1);
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    // Act
    const read = secrets.send(new GetSecretValueCommand({ SecretId: 'missing' }));

    // Assess
    await expect(read).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('accepts PutEvents entries and hands each one on with its id', async () => {
    // Act
    const result = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'bus', Source: 'test', DetailType: 'Alert', Detail: '{"title":"t"}' },
          { EventBusName: 'bus', Source: 'test', DetailType: 'Other', Detail: '{}' },
        ],
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(events.map((event) => [event.DetailType, event.id])).toEqual(
      result.Entries?.map((entry, index) => [index === 0 ? 'Alert' : 'Other', entry.EventId]),
    );
  });

  it('acknowledges an asynchronous Invoke with 202 and runs it', async () => {
    // Act
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: 'archive',
        InvocationType: 'Event',
        Payload: new TextEncoder().encode('{"messageIds":["1"]}'),
      }),
    );

    // Assess
    expect(result.StatusCode).toBe(202);
    expect(invocations.at(-1)).toEqual({
      name: 'archive',
      payload: '{"messageIds":["1"]}',
      type: 'Event',
    });
  });

  it('returns the payload of a synchronous Invoke, and refuses an unknown function', async () => {
    // Act
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: 'archive', Payload: new TextEncoder().encode('{"a":1}') }),
    );
    const unknown = lambda.send(new InvokeCommand({ FunctionName: 'nope' }));

    // Assess
    expect(result.StatusCode).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(result.Payload))).toEqual({ echoed: { a: 1 } });
    await expect(unknown).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
