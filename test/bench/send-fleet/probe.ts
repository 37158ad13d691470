/**
 * What one claim costs dynalite: sequential claims against an in-process dynalite (no
 * contention), CPU and wall time per request, by the budget's geometry (buckets per window),
 * beside a consistent GetItem of the same item, and where the claims' CPU goes (self time by
 * package: dynalite and its storage, the AWS SDK, our code, Node).
 * `npx tsx test/bench/send-fleet/probe.ts`.
 */
import { Session } from 'node:inspector/promises';
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
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < CLAIMS; index += 1) {
      await budget.claim({ ...request, caller: `c${index % 21}` });
    }
    const claimWall = (performance.now() - started) / CLAIMS;
    const claimCpu = cpuMs(cpu) / CLAIMS;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
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
    return `${bucketsPerWindow} buckets per window: claim ${claimCpu.toFixed(1)} ms CPU / ${claimWall.toFixed(1)} ms wall; GetItem ${readCpu.toFixed(1)} ms CPU / ${readWall.toFixed(1)} ms wall; claim CPU by package: ${selfTimeByPackage(profile)}`;
  } finally {
    await dynamo.stop();
  }
}

type Profile = Awaited<ReturnType<Session['post']>> & {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string } }>;
  samples: number[];
};

const PACKAGES: Array<[string, RegExp]> = [
  [
    'dynalite',
    /node_modules\/(dynalite|levelup|leveldown|memdown|abstract-leveldown|level-|lock|big\.js|lazy|subleveldown|deferred-leveldown|encoding-down|lru-cache|once)/,
  ],
  ['aws-sdk', /node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml|tslib|uuid)/],
  ['ours', /\/(lib|test)\//],
  ['other modules', /node_modules/],
  ['node', /^node:|^$/],
];

/** Share of sampled self time per package (idle left out). */
function selfTimeByPackage(raw: unknown): string {
  const profile = raw as Profile;
  const packageOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    const special = functionName.startsWith('(') ? functionName : undefined;
    const found = PACKAGES.find(([, pattern]) => pattern.test(url))?.[0];
    packageOf.set(node.id, special ?? found ?? 'other');
  }
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const name = packageOf.get(id) ?? 'other';
    if (name !== '(idle)') counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${Math.round((count / total) * 100)}%`)
    .join(', ');
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

for (const buckets of (process.env.PROBE_BUCKETS ?? '30,10,4').split(',').map(Number)) {
  console.log(await probe(buckets));
}
