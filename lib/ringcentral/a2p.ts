import type { A2pBatch, A2pMessagePage, A2pOptOutPage, TokenPaging } from './a2p-types.ts';
import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import type { MailboxRef } from './paths.ts';
import { accountPath } from './paths.ts';
import type { NonEmptyArray } from './types.ts';
import { assertE164, assertInteger, assertTextLength } from './validation.ts';

/** Messages one `createA2PSMS` request carries at most (FACTS.md "High-volume SMS"). */
export const MAX_A2P_MESSAGES_PER_BATCH = 10_000;
/** Text of one A2P message, in UTF-16 units (`MessageCreateRequest.text` maxLength). */
export const MAX_A2P_TEXT = 1000;
/** Largest page of the message and opt-out lists (`NonEnumeratedPagingModel.perPage` maximum). */
export const MAX_A2P_PER_PAGE = 1000;

/** One message of a batch: one recipient (the spec: "currently only one number is supported"). */
export interface A2pBatchMessage {
  to: string;
  /** Overrides the batch's `text` for this recipient. */
  text?: string;
}

/** `MessageBatchCreateRequest`: one text for all, or a text per message. */
export interface A2pBatchRequest extends Pick<MailboxRef, 'accountId'> {
  /** E.164 number with the `A2PSmsSender` feature. */
  from: string;
  /** Text of every message that has none of its own. */
  text?: string;
  messages: NonEmptyArray<A2pBatchMessage>;
}

/** Filter of `listA2PSMS`: the messages of one batch, a page at a time. */
export interface A2pMessageFilter extends Pick<MailboxRef, 'accountId'> {
  batchId: string;
  /** The page to read, as a previous page's `paging.nextPageToken` gave it; default the first. */
  pageToken?: string;
  /** 1-1000; RingCentral's default is 1000. */
  perPage?: number;
  /** `Detailed` includes each message's text. */
  view?: 'Simple' | 'Detailed';
}

/** Filter of `readA2PSMSOptOuts`. */
export interface A2pOptOutFilter extends Pick<MailboxRef, 'accountId'> {
  /** The sender the recipients opted out from (opt-outs are per sender and recipient). */
  from: string;
  pageToken?: string;
  perPage?: number;
}

/** High-volume SMS (`a2p-sms`), every call in the Light group as the spec's `x-throttling-group` says. */
export interface A2pSmsApi {
  /**
   * Sends up to 10,000 messages in one request (`createA2PSMS`). RingCentral answers at once
   * with the batch (status `Processing`) and the recipients it refused (`rejected`, by index);
   * the messages go out afterwards. A `from` without the `A2PSmsSender` feature is refused
   * (400, `InvalidRequestError`).
   */
  createBatch(request: A2pBatchRequest, options?: CallOptions): Promise<A2pBatch>;
  /** The batch's status and progress (`readA2PBatch`); an unknown id throws `NotFoundError`. */
  getBatch(
    batchId: string,
    options?: CallOptions & Pick<MailboxRef, 'accountId'>,
  ): Promise<A2pBatch>;
  /** One page of a batch's per-recipient messages (`listA2PSMS`). */
  messagePage(filter: A2pMessageFilter, options?: CallOptions): Promise<A2pMessagePage>;
  /** One page of the numbers that opted out from `from` (`readA2PSMSOptOuts`). */
  optOutPage(filter: A2pOptOutFilter, options?: CallOptions): Promise<A2pOptOutPage>;
  /** Every number opted out from `from`: all pages of {@link optOutPage}, one request each. */
  optedOutNumbers(
    from: string,
    options?: CallOptions & Pick<MailboxRef, 'accountId'>,
  ): Promise<Set<string>>;
}

const BATCH_ID = /^[A-Za-z0-9_-]{1,100}$/;
const PAGE_TOKEN = /^[\x21-\x7e]{1,1024}$/;

/** Fails unless `id` is a batch id as RingCentral gives them (a string, never a number). */
export function assertBatchId(id: unknown, field = 'batchId'): asserts id is string {
  if (typeof id !== 'string' || !BATCH_ID.test(id)) {
    throw new InvalidInputError(`${field} must be a batch id string, got ${JSON.stringify(id)}`);
  }
}

function pageQuery(filter: { pageToken?: string; perPage?: number }) {
  if (filter.pageToken !== undefined && !PAGE_TOKEN.test(filter.pageToken)) {
    throw new InvalidInputError('pageToken must be a page token a previous page gave');
  }
  if (filter.perPage !== undefined) assertInteger(filter.perPage, 1, MAX_A2P_PER_PAGE, 'perPage');
  return { pageToken: filter.pageToken, perPage: filter.perPage };
}

/** The request body, validated: every message has a recipient and a text, its own or the batch's. */
function batchBody(request: A2pBatchRequest): Record<string, unknown> {
  assertE164(request?.from, 'from');
  const { messages } = request;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidInputError('A batch needs at least one message');
  }
  if (messages.length > MAX_A2P_MESSAGES_PER_BATCH) {
    throw new InvalidInputError(
      `A batch carries at most ${MAX_A2P_MESSAGES_PER_BATCH} messages, got ${messages.length}`,
    );
  }
  if (request.text !== undefined) assertTextLength(request.text, MAX_A2P_TEXT, 'text');
  const wire = messages.map((message, index) => {
    assertE164(message?.to, `messages[${index}].to`);
    if (message.text === undefined) {
      if (request.text === undefined) {
        throw new InvalidInputError(`messages[${index}] needs a text, or the batch one`);
      }
      return { to: [message.to] };
    }
    assertTextLength(message.text, MAX_A2P_TEXT, `messages[${index}].text`);
    return { to: [message.to], text: message.text };
  });
  return {
    from: request.from,
    ...(request.text === undefined ? {} : { text: request.text }),
    messages: wire,
  };
}

/** Whether a token-paged list has another page after this one. */
function nextToken(paging: TokenPaging | undefined, records: unknown[]): string | undefined {
  const next = paging?.nextPageToken;
  if (next === undefined || next === '' || records.length === 0) return undefined;
  return next === paging?.pageToken ? undefined : next;
}

/** Builds the high-volume SMS operations on a transport. */
export function createA2pSmsApi(transport: Transport): A2pSmsApi {
  const base = (ref?: Pick<MailboxRef, 'accountId'>) => `${accountPath(ref)}/a2p-sms`;
  const api: A2pSmsApi = {
    async createBatch(request, options) {
      const body = batchBody(request);
      return transport.json<A2pBatch>(
        {
          method: 'POST',
          path: `${base(request)}/batches`,
          group: 'Light',
          body: { kind: 'json', value: body },
        },
        options,
      );
    },

    async getBatch(batchId, options) {
      assertBatchId(batchId);
      return transport.json<A2pBatch>(
        { method: 'GET', path: `${base(options)}/batches/${batchId}`, group: 'Light' },
        options,
      );
    },

    async messagePage(filter, options) {
      assertBatchId(filter?.batchId);
      if (filter.view !== undefined && filter.view !== 'Simple' && filter.view !== 'Detailed') {
        throw new InvalidInputError('view must be Simple or Detailed');
      }
      const page = await transport.json<A2pMessagePage>(
        {
          method: 'GET',
          path: `${base(filter)}/messages`,
          group: 'Light',
          query: { batchId: filter.batchId, view: filter.view, ...pageQuery(filter) },
        },
        options,
      );
      return { ...page, records: page?.records ?? [] };
    },

    async optOutPage(filter, options) {
      assertE164(filter?.from, 'from');
      const page = await transport.json<A2pOptOutPage>(
        {
          method: 'GET',
          path: `${base(filter)}/opt-outs`,
          group: 'Light',
          query: { from: filter.from, status: 'optout', ...pageQuery(filter) },
        },
        options,
      );
      return { ...page, records: page?.records ?? [] };
    },

    async optedOutNumbers(from, options) {
      const numbers = new Set<string>();
      let pageToken: string | undefined;
      const seen = new Set<string>();
      do {
        const page = await api.optOutPage(
          {
            from,
            perPage: MAX_A2P_PER_PAGE,
            ...(options?.accountId === undefined ? {} : { accountId: options.accountId }),
            ...(pageToken === undefined ? {} : { pageToken }),
          },
          options,
        );
        for (const record of page.records) {
          if (record.to !== undefined && record.status !== 'OptIn') numbers.add(record.to);
        }
        pageToken = nextToken(page.paging, page.records);
        // A token seen before would loop forever: the list ends there.
        if (pageToken !== undefined && seen.has(pageToken)) pageToken = undefined;
        if (pageToken !== undefined) seen.add(pageToken);
      } while (pageToken !== undefined);
      return numbers;
    },
  };
  return api;
}
