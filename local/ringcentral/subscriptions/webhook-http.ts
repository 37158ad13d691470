import { randomUUID } from 'node:crypto';
import { SubscriptionError } from './errors.ts';

/**
 * RingCentral's creation handshake: POST to the address with a fresh `Validation-Token`; the
 * address must answer 2xx, echoing the same header, within `timeoutMs`. Throws
 * `SubscriptionError` (SUB-521 unreachable or too slow, SUB-525 non-2xx, SUB-520 no echo).
 */
export async function validateWebhookAddress(address: string, timeoutMs: number): Promise<void> {
  const token = randomUUID();
  let response: Response;
  try {
    response = await fetch(address, {
      method: 'POST',
      headers: { 'Validation-Token': token },
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is ignored, but read it so the connection is released.
    await response.arrayBuffer();
  } catch (error) {
    throw new SubscriptionError(400, 'SUB-521', 'WebHook is not reachable', { cause: error });
  }
  if (response.status < 200 || response.status > 299) {
    throw new SubscriptionError(
      400,
      'SUB-525',
      `WebHook server response is invalid: HTTP status ${response.status}`,
    );
  }
  if (response.headers.get('validation-token') !== token) {
    throw new SubscriptionError(400, 'SUB-520', 'Validation Token is not returned');
  }
}

/**
 * POSTs one notification; never throws (a failed delivery is the receiver's problem, as with
 * RingCentral). Resolves with the HTTP status, or undefined when the request failed.
 */
export async function deliverNotification(
  address: string,
  json: string,
  verificationToken: string | undefined,
  timeoutMs: number,
): Promise<number | undefined> {
  try {
    const response = await fetch(address, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        ...(verificationToken === undefined ? {} : { 'Verification-Token': verificationToken }),
      },
      body: json,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}
