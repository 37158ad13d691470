import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { stringifyJson } from '../ringcentral/index.ts';

/** PutEvents accepts at most 10 entries per call. */
export const MAX_ENTRIES_PER_PUT = 10;

/** One or more entries of a PutEvents call were refused. */
export class EventPublishError extends Error {
  override name = 'EventPublishError';
  /** Error codes of the refused entries (no details, which could echo event content). */
  readonly failures: Array<{ detailType: string; errorCode: string | undefined }>;
  constructor(
    failures: Array<{ detailType: string; errorCode: string | undefined }>,
    options?: { cause?: unknown },
  ) {
    super(`EventBridge refused ${failures.length} event(s)`, options);
    this.failures = failures;
  }
}

/** Publishes events to one bus with one source. */
export interface EventPublisher {
  /** Sends in chunks of 10; throws EventPublishError if any entry failed. */
  publish(entries: Array<{ detailType: string; detail: unknown }>): Promise<void>;
}

/** Creates an EventBridge publisher for `busName` and `source`. */
export function createEventPublisher(options: {
  busName: string;
  source: string;
  client?: EventBridgeClient;
}): EventPublisher {
  const client = options.client ?? new EventBridgeClient({});
  return {
    publish: async (entries) => {
      const failures: EventPublishError['failures'] = [];
      for (let start = 0; start < entries.length; start += MAX_ENTRIES_PER_PUT) {
        const chunk = entries.slice(start, start + MAX_ENTRIES_PER_PUT);
        const result = await client.send(
          new PutEventsCommand({
            Entries: chunk.map((entry) => ({
              EventBusName: options.busName,
              Source: options.source,
              DetailType: entry.detailType,
              Detail: stringifyJson(entry.detail),
            })),
          }),
        );
        (result.Entries ?? []).forEach((outcome, index) => {
          if (outcome.ErrorCode !== undefined || outcome.EventId === undefined) {
            failures.push({
              detailType: chunk[index]?.detailType ?? '(unknown)',
              errorCode: outcome.ErrorCode,
            });
          }
        });
        if ((result.FailedEntryCount ?? 0) > 0 && failures.length === 0) {
          failures.push({ detailType: '(unknown)', errorCode: undefined });
        }
      }
      if (failures.length > 0) throw new EventPublishError(failures);
    },
  };
}
