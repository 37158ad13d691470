/** Recording who sent each message, so that only they may read its status and learn its changes. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SentMessage } from '../ringcentral/index.ts';
import type { SentMessageEntry, SentMessageLedger } from './ports.ts';

/** `.../extension/{id}/message-store/...` in a record's uri: the mailbox it is in. */
const MAILBOX_IN_URI = /\/extension\/(\d+)\/message-store\//;

/**
 * The ledger entry of a message RingCentral accepted: the caller, its correlation id, and where
 * and in which status the message is, for the status watch.
 */
export function sentMessageEntry(
  sent: SentMessage,
  sender: Pick<SentMessageEntry, 'caller' | 'type' | 'correlationId'>,
): SentMessageEntry {
  const extensionId = sent.extensionId ?? MAILBOX_IN_URI.exec(sent.uri ?? '')?.[1];
  return {
    messageId: sent.id,
    caller: sender.caller,
    type: sender.type,
    ...(sender.correlationId === undefined ? {} : { correlationId: sender.correlationId }),
    ...(extensionId === undefined ? {} : { extensionId }),
    ...(sent.messageStatus === undefined ? {} : { messageStatus: sent.messageStatus }),
    ...(sent.creationTime === undefined ? {} : { sentAt: sent.creationTime }),
  };
}

/**
 * Records the sender of a message RingCentral accepted. A failure does not fail the send (the
 * message is on its way, and the caller must get its 202 and id); it is told to `onFailure`, and
 * that caller then cannot read the message's status nor get its status events.
 */
export async function recordSent(
  ledger: SentMessageLedger,
  entry: SentMessageEntry,
  onFailure: (error: unknown) => void,
): Promise<void> {
  try {
    await ledger.recordSender(entry);
  } catch (error) {
    onFailure(error);
  }
}

/** The logger and metrics of the send function reporting. */
export interface SendTelemetry {
  logger: Logger;
  metrics: Metrics;
}

/** What a send route knows of a message RingCentral accepted. */
export interface AcceptedSend {
  sent: SentMessage;
  type: SentMessageEntry['type'];
  /** The IAM caller; `undefined` on an unauthenticated route, where nobody can read it back. */
  caller: string | undefined;
  correlationId: string | undefined;
}

/**
 * What every send route does once RingCentral accepted a message: counts it under `metric`, then
 * records its sender when the caller is known (a failure is logged; the send stands).
 */
export async function reportAccepted(
  accepted: AcceptedSend,
  metric: string,
  ledger: SentMessageLedger,
  telemetry: SendTelemetry,
): Promise<void> {
  telemetry.metrics.addMetric(metric, MetricUnit.Count, 1);
  const { sent, type, caller, correlationId } = accepted;
  if (caller === undefined) return;
  await recordSent(ledger, sentMessageEntry(sent, { caller, type, correlationId }), (error) =>
    telemetry.logger.error('Could not record the sender; its status cannot be read', { error }),
  );
}
