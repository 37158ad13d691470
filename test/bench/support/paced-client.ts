import { createJwtTokenSource, createRingCentral } from '../../../lib/ringcentral/index.ts';
import type { WorkloadClient, WorkloadOperation, WorkloadTarget } from '../rate-limits/workload.ts';
import type { BenchCredentials, EmulatorFacts } from './emulator-process.ts';

/** Where the client under test talks to, as whom, and how the emulator's windows are scaled. */
export interface PacedClientOptions {
  server: string;
  mediaServer: string;
  credentials: BenchCredentials;
  /** The emulator's window scale; the client's assumed windows and backoff follow it. */
  windowScale: number;
}

/** RingCentral's default budgets with the emulator's window scale applied. */
function scaledGroups(windowScale: number) {
  const windowMs = Math.round(60_000 * windowScale);
  return {
    Light: { limit: 50, windowMs },
    Medium: { limit: 40, windowMs },
    Heavy: { limit: 10, windowMs },
    Auth: { limit: 5, windowMs },
  };
}

/** Builds the project's client (lib/ringcentral) the way a Lambda function would. */
export function createBenchRingCentral(options: PacedClientOptions, onRateLimited?: () => void) {
  const limits = {
    groups: scaledGroups(options.windowScale),
    backoff: {
      baseMs: Math.max(50, 2_000 * options.windowScale),
      maxMs: Math.max(500, 30_000 * options.windowScale),
    },
    defaultRetryAfterMs: Math.max(1_000, 30_000 * options.windowScale),
  };
  const tokenSource = createJwtTokenSource({
    server: options.server,
    clientId: options.credentials.clientId,
    clientSecret: options.credentials.clientSecret,
    jwt: options.credentials.jwt,
    limits,
  });
  const rc = createRingCentral({
    server: options.server,
    mediaServer: options.mediaServer,
    tokenSource,
    limits,
    hooks: { onRateLimited: () => onRateLimited?.() },
  });
  return { rc, tokenSource };
}

/** The workload's operations on the project's client: pacing, retries and all. */
export async function createPacedClient(options: PacedClientOptions): Promise<WorkloadClient> {
  let tooManyRequests = 0;
  const { rc, tokenSource } = createBenchRingCentral(options, () => {
    tooManyRequests += 1;
  });
  await tokenSource.getToken();
  const dateFrom = new Date(Date.now() - 365 * 86_400_000).toISOString();

  return {
    async prepare(facts: EmulatorFacts): Promise<WorkloadTarget> {
      const task = await rc.exports.create({ dateFrom, dateTo: new Date().toISOString() });
      return { facts, exportTaskId: task.id };
    },
    async perform(operation: WorkloadOperation, target: WorkloadTarget, sequence: number) {
      const { facts } = target;
      const messageId = facts.messageIds[sequence % facts.messageIds.length] ?? '';
      switch (operation) {
        case 'listMessages': {
          // Only the first page: one request.
          for await (const _page of rc.messages.list({ dateFrom, perPage: 10 })) break;
          return;
        }
        case 'readMessage':
          await rc.messages.get(messageId);
          return;
        case 'syncMessages':
          await rc.sync({ syncType: 'FSync', dateFrom, recordCount: 10 });
          return;
        case 'sendSms':
          await rc.sms.send({
            from: facts.ownerSmsNumber,
            to: [facts.otherSmsNumber],
            text: `bench ${sequence}`,
          });
          return;
        case 'sendPager':
          await rc.pager.send({
            from: { extensionId: facts.ownerExtensionId },
            to: [{ extensionId: facts.otherExtensionId }],
            text: `bench ${sequence}`,
          });
          return;
        case 'updateMessage': {
          const readStatus = sequence % 2 === 0 ? 'Read' : 'Unread';
          const [result] = await rc.messages.update([messageId], { readStatus });
          if (result && !result.ok) throw result.error;
          return;
        }
        case 'readExportTask':
          await rc.exports.get(target.exportTaskId);
          return;
      }
    },
    tooManyRequestsSeen: () => tooManyRequests,
    close: async () => {},
  };
}
