/**
 * What keeps a captured delivery from being played again: RingCentral's deliveries carry their
 * time and a uuid, and the Verification-Token alone does not change between them, so anyone who
 * saw one delivery could send it again and again. A delivery is admitted only when its timestamp
 * is within a few minutes of now, and only once per uuid (a conditional write kept a little
 * longer than that window, so a replay is refused by the ledger while it could still pass the
 * clock).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RawHttpRequestContext } from '../runtime/http-stack.ts';
import { HttpProblem } from '../runtime/problem.ts';
import type { NotificationHeader } from './notification.ts';

/** How far a delivery's timestamp may be from now, either way, by default: 5 minutes. */
export const DEFAULT_DELIVERY_WINDOW_MS = 5 * 60 * 1000;

/** The deliveries seen (the state table in a deployment, `lib/aws/webhook-delivery-ledger.ts`). */
export interface DeliveryLedger {
  /** Records `uuid` for `ttlSeconds`; false when it is recorded already (a replay). */
  claim(uuid: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets `uuid`, so that RingCentral's retry of a delivery we failed is admitted. */
  release(uuid: string): Promise<void>;
}

/** What the guard works with. */
export interface DeliveryGuard {
  ledger: DeliveryLedger;
  /** The accepted distance of a timestamp from now, either way; default 5 minutes. */
  windowMs?: number;
  now?: () => number;
}

/** An admitted delivery, to release when its processing fails. */
export interface AdmittedDelivery {
  release(): Promise<void>;
}

/** Refuses (400) a delivery without a timestamp, or one further than `windowMs` from now. */
function requireFreshTimestamp(timestamp: string | undefined, now: number, windowMs: number): void {
  const at = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  if (Number.isNaN(at)) {
    throw new HttpProblem({
      status: 400,
      title: 'Not a RingCentral notification',
      errors: [{ field: 'timestamp', message: 'is missing or not a date-time' }],
    });
  }
  if (Math.abs(now - at) > windowMs) {
    throw new HttpProblem({
      status: 400,
      title: 'Delivery outside the accepted time window',
      detail: `The delivery's timestamp is more than ${windowMs / 1000} s from now: stale or from the future.`,
      errors: [{ field: 'timestamp', message: 'is outside the accepted window' }],
    });
  }
}

/**
 * Admits a verified delivery once: undefined for a replay (the caller answers 200 and does
 * nothing, so that RingCentral never counts it as a failure), else a handle whose `release`
 * undoes the claim. Throws a 400 problem for a missing, stale or future timestamp.
 */
export async function admitDelivery(
  header: NotificationHeader,
  guard: DeliveryGuard,
  request: Pick<RawHttpRequestContext, 'metrics' | 'logger'>,
): Promise<AdmittedDelivery | undefined> {
  const windowMs = guard.windowMs ?? DEFAULT_DELIVERY_WINDOW_MS;
  try {
    requireFreshTimestamp(header.timestamp, (guard.now ?? Date.now)(), windowMs);
  } catch (error) {
    request.metrics.addMetric('WebhookStale', MetricUnit.Count, 1);
    throw error;
  }
  // Kept twice the window: past it the clock refuses the delivery anyway.
  const claimed = await guard.ledger.claim(header.notificationId, (2 * windowMs) / 1000);
  if (!claimed) {
    request.metrics.addMetric('WebhookReplays', MetricUnit.Count, 1);
    request.logger.warn('Dropped a replayed delivery', {
      notificationId: header.notificationId,
      subscriptionId: header.subscriptionId,
    });
    return undefined;
  }
  return { release: () => guard.ledger.release(header.notificationId) };
}
