import ky, { type KyInstance } from 'ky';
import type { WorkloadClient, WorkloadOperation, WorkloadTarget } from '../rate-limits/workload.ts';
import type { BenchCredentials, EmulatorFacts } from './emulator-process.ts';

/** Where the naive client talks to and as whom. */
export interface NaiveClientOptions {
  server: string;
  credentials: BenchCredentials;
  /** Retries per request on 429 (each after the server's Retry-After). */
  retryLimit?: number;
  /** Epoch ms at which every request still waiting is aborted, so a capped run ends. */
  abortAt?: number;
}

const EXTENSION = '/restapi/v1.0/account/~/extension/~';

/**
 * The comparison baseline: plain ky that retries only on 429, after the Retry-After the server
 * sent, with no pacing ahead. It is what a typical integration does, and it runs into the limits.
 */
export async function createNaiveClient(options: NaiveClientOptions): Promise<WorkloadClient> {
  let tooManyRequests = 0;
  const basic = Buffer.from(
    `${options.credentials.clientId}:${options.credentials.clientSecret}`,
  ).toString('base64');
  const countingHooks = {
    afterResponse: [
      ({ response }: { response: Response }) => {
        if (response.status === 429) tooManyRequests += 1;
      },
    ],
  };
  const retry = {
    limit: options.retryLimit ?? 100,
    methods: ['get', 'post', 'put', 'patch', 'delete'],
    statusCodes: [429],
    afterStatusCodes: [429],
  };
  const login = await ky
    .post('restapi/oauth/token', {
      prefix: options.server,
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: options.credentials.jwt,
      }),
      retry,
      hooks: countingHooks,
      timeout: false,
    })
    .json<{ access_token: string }>();

  // A naive client in a penalty keeps restarting it; the cap must be able to end the run.
  const signal =
    options.abortAt === undefined
      ? undefined
      : AbortSignal.timeout(Math.max(1, options.abortAt - Date.now()));
  const api: KyInstance = ky.create({
    prefix: options.server,
    ...(signal ? { signal } : {}),
    headers: { authorization: `Bearer ${login.access_token}` },
    retry,
    hooks: countingHooks,
    timeout: false,
  });
  const dateFrom = new Date(Date.now() - 365 * 86_400_000).toISOString();

  return {
    async prepare(facts: EmulatorFacts): Promise<WorkloadTarget> {
      const task = await api
        .post('restapi/v1.0/account/~/message-store-report', {
          json: { dateFrom, dateTo: new Date().toISOString() },
        })
        .json<{ id: string }>();
      return { facts, exportTaskId: String(task.id) };
    },
    async perform(operation: WorkloadOperation, target: WorkloadTarget, sequence: number) {
      const { facts } = target;
      const messageId = facts.messageIds[sequence % facts.messageIds.length] ?? '';
      switch (operation) {
        case 'listMessages':
          await api
            .get(`${EXTENSION.slice(1)}/message-store`, { searchParams: { dateFrom, perPage: 10 } })
            .arrayBuffer();
          return;
        case 'readMessage':
          await api.get(`${EXTENSION.slice(1)}/message-store/${messageId}`).arrayBuffer();
          return;
        case 'syncMessages':
          await api
            .get(`${EXTENSION.slice(1)}/message-sync`, {
              searchParams: { syncType: 'FSync', dateFrom, recordCount: 10 },
            })
            .arrayBuffer();
          return;
        case 'sendSms':
          await api
            .post(`${EXTENSION.slice(1)}/sms`, {
              json: {
                from: { phoneNumber: facts.ownerSmsNumber },
                to: [{ phoneNumber: facts.otherSmsNumber }],
                text: `bench ${sequence}`,
              },
            })
            .arrayBuffer();
          return;
        case 'sendPager':
          await api
            .post(`${EXTENSION.slice(1)}/company-pager`, {
              json: {
                from: { extensionId: facts.ownerExtensionId },
                to: [{ extensionId: facts.otherExtensionId }],
                text: `bench ${sequence}`,
              },
            })
            .arrayBuffer();
          return;
        case 'updateMessage':
          await api
            .put(`${EXTENSION.slice(1)}/message-store/${messageId}`, {
              json: { readStatus: sequence % 2 === 0 ? 'Read' : 'Unread' },
            })
            .arrayBuffer();
          return;
        case 'readExportTask':
          await api
            .get(`restapi/v1.0/account/~/message-store-report/${target.exportTaskId}`)
            .arrayBuffer();
          return;
      }
    },
    tooManyRequestsSeen: () => tooManyRequests,
    close: async () => {},
  };
}
