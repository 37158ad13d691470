/**
 * What one claim costs dynalite: sequential claims against an in-process dynalite (no
 * contention), CPU and wall time per request, by the budget's geometry (buckets per window),
 * beside a consistent GetItem of the same item. `npx tsx test/bench/send-fleet/probe.ts`.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoRateBudget } from '../../../lib/aws/shared-rate-budget.ts';
import { startDynalite } from '../../support/dynalite.ts';

const CLAIMS = Number(process.env.PROBE_CLAIMS ?? 200);

async function probe(bucketsPerWindow: number): Promise<string> {
  const dynamo = await startDynalite();
  try {
    const tableName = await dynamo.createStateTable();
    const budget = createDynamoRateBudget({
      tableName,
      client: dynamo.client,
      holdMs: 800,
      bucketsPerWindow,
    });
    const request = {
      user: 'probe',
      group: 'Medium' as const,
      slots: 1,
      limit: { limit: 1_000_000, windowMs: 15_000 },
    };
    await budget.claim({ ...request, caller: 'warm' });
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < CLAIMS; index += 1) {
      await budget.claim({ ...request, caller: `c${index % 21}` });
    }
    const claimWall = (performance.now() - started) / CLAIMS;
    const claimCpu = cpuMs(cpu) / CLAIMS;
    const readCpuStart = process.cpuUsage();
    const readStarted = performance.now();
    for (let index = 0; index < CLAIMS; index += 1) {
      await dynamo.client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: 'ratebudget#probe' }, sk: { S: 'Medium' } },
          ConsistentRead: true,
        }),
      );
    }
    const readWall = (performance.now() - readStarted) / CLAIMS;
    const readCpu = cpuMs(readCpuStart) / CLAIMS;
    return `${bucketsPerWindow} buckets per window: claim ${claimCpu.toFixed(1)} ms CPU / ${claimWall.toFixed(1)} ms wall; GetItem ${readCpu.toFixed(1)} ms CPU / ${readWall.toFixed(1)} ms wall`;
  } finally {
    await dynamo.stop();
  }
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

for (const buckets of (process.env.PROBE_BUCKETS ?? '30,10,4').split(',').map(Number)) {
  console.log(await probe(buckets));
}
