/** Shapes what RingCentral answered to a send into this API's 202 body. */
import type { SentMessage } from '../ringcentral/index.ts';
import type { SentMessageResponse } from './responses.ts';

/** The 202 body for a message RingCentral accepted; `type` is the route's when RingCentral omits it. */
export function toSentMessageResponse(
  sent: SentMessage,
  type: SentMessageResponse['type'],
): SentMessageResponse {
  const answeredType = sent.type === 'SMS' || sent.type === 'Pager' || sent.type === 'Fax';
  return {
    id: sent.id,
    type: answeredType ? (sent.type as SentMessageResponse['type']) : type,
    messageStatus: sent.messageStatus ?? 'Queued',
    uri: sent.uri ?? '',
  };
}
