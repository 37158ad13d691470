import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import { JsonInteger } from './json.ts';
import type { MailboxRef } from './paths.ts';
import { extensionPath } from './paths.ts';
import type { NonEmptyArray, SentMessage } from './types.ts';
import { assertE164, assertId, assertTextLength } from './validation.ts';

/** `CreateSMSMessage` */
export interface SmsRequest extends MailboxRef {
  /** E.164 number of the sending user, with the SMS feature. */
  from: string;
  to: NonEmptyArray<string>;
  /** At most 1000 UTF-16 units. */
  text: string;
  country?: { isoCode?: string; id?: string };
}

/** An extension, by id or by number (`PagerCallerInfoRequest`). */
export type PagerParty = { extensionId: string } | { extensionNumber: string };

/** `CreateInternalTextMessageRequest` */
export interface PagerRequest extends MailboxRef {
  from?: PagerParty;
  /** Optional only with `replyOn`. */
  to?: PagerParty[];
  /** At most 1024 UTF-16 units. */
  text: string;
  /** Id of the message this one answers. */
  replyOn?: string;
}

/** SMS sending. */
export interface SmsApi {
  send(request: SmsRequest, options?: CallOptions): Promise<SentMessage>;
}

/** Internal (pager) messages. */
export interface PagerApi {
  send(request: PagerRequest, options?: CallOptions): Promise<SentMessage>;
}

/** Maximum SMS text in UTF-16 units. */
export const MAX_SMS_TEXT = 1000;
/** Maximum pager text in UTF-16 units. */
export const MAX_PAGER_TEXT = 1024;

/** Builds the SMS operation. */
export function createSmsApi(transport: Transport): SmsApi {
  return {
    async send(request, options) {
      assertE164(request?.from, 'from');
      if (!Array.isArray(request.to) || request.to.length === 0)
        throw new InvalidInputError('An SMS needs at least one recipient');
      request.to.forEach((number, index) => {
        assertE164(number, `to[${index}]`);
      });
      assertTextLength(request.text, MAX_SMS_TEXT, 'text');
      const body: Record<string, unknown> = {
        from: { phoneNumber: request.from },
        to: request.to.map((phoneNumber) => ({ phoneNumber })),
        text: request.text,
      };
      if (request.country) body.country = request.country;
      return transport.json<SentMessage>(
        {
          method: 'POST',
          path: `${extensionPath(request)}/sms`,
          group: 'Medium',
          body: { kind: 'json', value: body },
        },
        options,
      );
    },
  };
}

function pagerParty(party: PagerParty, field: string): PagerParty {
  if (party && 'extensionId' in party) {
    assertId(party.extensionId, `${field}.extensionId`);
    return { extensionId: party.extensionId };
  }
  if (
    party &&
    'extensionNumber' in party &&
    typeof party.extensionNumber === 'string' &&
    /^\d{1,10}$/.test(party.extensionNumber)
  ) {
    return { extensionNumber: party.extensionNumber };
  }
  throw new InvalidInputError(`${field} needs an extensionId or an extensionNumber`);
}

/** Builds the pager operation. */
export function createPagerApi(transport: Transport): PagerApi {
  return {
    async send(request, options) {
      assertTextLength(request?.text, MAX_PAGER_TEXT, 'text');
      const body: Record<string, unknown> = { text: request.text };
      if (request.from !== undefined) body.from = pagerParty(request.from, 'from');
      if (request.to !== undefined && request.to.length > 0) {
        body.to = request.to.map((party, index) => pagerParty(party, `to[${index}]`));
      } else if (request.replyOn === undefined) {
        throw new InvalidInputError(
          'A pager message needs `to` unless it replies to a message (replyOn)',
        );
      }
      if (request.replyOn !== undefined) {
        assertId(request.replyOn, 'replyOn');
        body.replyOn = new JsonInteger(request.replyOn);
      }
      return transport.json<SentMessage>(
        {
          method: 'POST',
          path: `${extensionPath(request)}/company-pager`,
          group: 'Medium',
          body: { kind: 'json', value: body },
        },
        options,
      );
    },
  };
}
