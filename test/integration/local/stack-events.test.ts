/**
 * The local stack in-process (`startLocalStack`): the paths `npm start` wires between functions
 * beside the gateway: an `Alert` event put on the local EventBridge reaches the alert function,
 * which texts the configured recipient through the local RingCentral; a scheduled job run on
 * demand prints its status line; stop() closes every port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/stack/stack.ts';
import { refusesConnections, waitFor } from './stack-process.ts';

describe('local stack wiring', () => {
  let stack: LocalStack;
  let dataDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-stack-events-'));
    stack = await startLocalStack({
      dataDir,
      apiPort: 0,
      // Nothing scheduled during the test but what it runs itself.
      schedule: {
        archiveEveryMs: 3_600_000,
        tokenRefreshEveryMs: 3_600_000,
        purgeEveryMs: 3_600_000,
        subscriptionKeeperEveryMs: 3_600_000,
      },
      print: (line) => lines.push(line),
    });
  });

  afterAll(async () => {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('hands an Alert event to the alert function, which texts the recipient', async () => {
    // Prepare
    const events = new EventBridgeClient({
      endpoint: stack.info.awsServicesEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sentBefore = stack.emulator?.stats().sent.sms ?? expect.unreachable();

    // Act
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'local-bus',
            Source: 'test',
            DetailType: 'Alert',
            Detail: JSON.stringify({ title: 'Disk', message: 'The disk is full' }),
          },
        ],
      }),
    );
    events.destroy();
    await waitFor(
      () => (lines.some((line) => line.includes('alert (event)')) ? true : undefined),
      20_000,
      'the alert run',
    );

    // Assess
    expect(lines.find((line) => line.includes('alert (event)'))).not.toContain('FAILED');
    expect(stack.emulator?.stats().sent.sms).toBe(sentBefore + 1);
  });

  it('runs a scheduled job on demand and prints its status line', async () => {
    // Act
    await stack.runJob('purge');

    // Assess
    const line = lines.find((candidate) => /\] purge\s/.test(candidate));
    expect(line).toMatch(/dry run: \d+ would be purged, \d+ candidates/);
    expect(stack.info.purgeDryRun).toBe(true);
  });

  it('closes every port when stopped', async () => {
    // Act
    await stack.stop();

    // Assess
    const urls = [
      stack.info.apiUrl,
      stack.info.s3Endpoint,
      stack.info.dynamodbEndpoint,
      stack.info.awsServicesEndpoint,
      stack.info.ringCentral.server,
    ];
    expect(await Promise.all(urls.map(refusesConnections))).toEqual(urls.map(() => true));
  });
});
