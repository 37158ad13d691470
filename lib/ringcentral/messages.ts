import type { BulkResult } from './bulk.ts';
import { chunk, MAX_IDS_PER_REQUEST, runBulk } from './bulk.ts';
import type { RequestSpec, Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import { stringifyJson } from './json.ts';
import { numberedPages } from './numbered-pages.ts';
import type { MailboxRef } from './paths.ts';
import { extensionPath } from './paths.ts';
import type {
  MessageAvailability,
  MessageDirection,
  MessagePage,
  MessageReadStatus,
  MessageRecord,
  MessageType,
  NonEmptyArray,
} from './types.ts';
import { assertDateTime, assertId, assertIds, assertInteger, assertOneOf } from './validation.ts';

/** Every filter of `GET .../message-store`. */
export interface MessageListFilter extends MailboxRef {
  availability?: MessageAvailability[];
  conversationId?: string;
  /** Always set it: RingCentral defaults to 24 h before dateTo. */
  dateFrom?: string | Date;
  dateTo?: string | Date;
  direction?: MessageDirection[];
  distinctConversations?: boolean;
  messageType?: MessageType[];
  readStatus?: MessageReadStatus[];
  phoneNumber?: string;
  /** First page to read; default 1. */
  page?: number;
  /** Records per page, 1-1000; default 100. */
  perPage?: number;
}

/** Options of bulk changes. */
export interface DeleteOptions extends MailboxRef {
  /** Skip the Deleted state and purge at once. */
  purge?: boolean;
  type?: MessageType | 'Text' | 'All';
}

/** `DELETE .../message-store?conversationId=...`: conversations are required, never "everything". */
export interface DeleteConversationsCriteria extends MailboxRef {
  conversationIds: NonEmptyArray<string>;
  dateTo?: string | Date;
  type?: MessageType | 'Text' | 'All';
  purge?: boolean;
}

/** The message-store operations. */
export interface MessagesApi {
  /** Pages of `GET .../message-store`, following `navigation.nextPage`. */
  list(filter?: MessageListFilter, options?: CallOptions): AsyncIterable<MessagePage>;
  /** One message. */
  get(id: string, options?: CallOptions & MailboxRef): Promise<MessageRecord>;
  /** Many messages, 50 ids per request, one result per id. */
  getMany(
    ids: NonEmptyArray<string>,
    options?: CallOptions & MailboxRef,
  ): Promise<BulkResult<MessageRecord>[]>;
  /** PUT `readStatus` on each id. */
  update(
    ids: NonEmptyArray<string>,
    change: { readStatus: MessageReadStatus },
    options?: CallOptions & MailboxRef,
  ): Promise<BulkResult<MessageRecord>[]>;
  /** PATCH `readStatus` and/or `availability`. */
  patch(
    ids: NonEmptyArray<string>,
    change: { readStatus?: MessageReadStatus; availability?: MessageAvailability },
    options?: CallOptions & MailboxRef,
  ): Promise<BulkResult<MessageRecord>[]>;
  /** PATCH `availability: Alive`: brings Deleted messages back. */
  restore(
    ids: NonEmptyArray<string>,
    options?: CallOptions & MailboxRef,
  ): Promise<BulkResult<MessageRecord>[]>;
  /** Deletes (or with `purge`, purges) the given ids; ids are required. */
  delete(
    ids: NonEmptyArray<string>,
    options?: CallOptions & DeleteOptions,
  ): Promise<BulkResult<never>[]>;
  /** Deletes whole conversations by id (the spec's deleteMessageByFilter). */
  deleteConversations(criteria: DeleteConversationsCriteria, options?: CallOptions): Promise<void>;
}

const READ_STATUS: readonly MessageReadStatus[] = ['Read', 'Unread'];
const AVAILABILITY: readonly MessageAvailability[] = ['Alive', 'Deleted', 'Purged'];
const DELETE_TYPES = ['Fax', 'SMS', 'VoiceMail', 'Pager', 'Text', 'All'] as const;
const MULTIPART_JSON = 'application/vnd.ringcentral.multipart+json';

/** Builds the message-store operations on a transport. */
export function createMessagesApi(transport: Transport): MessagesApi {
  const storePath = (ref: MailboxRef | undefined): string => `${extensionPath(ref)}/message-store`;

  /** One request per chunk of ids, built by `request` from the chunk's path and Accept. */
  const perChunk = <T>(
    ids: NonEmptyArray<string>,
    options: (CallOptions & MailboxRef) | undefined,
    request: (target: { path: string; accept: string }, chunkIds: string[]) => RequestSpec,
  ): Promise<BulkResult<T>[]> => {
    const unique = assertIds(ids, 'ids');
    const path = storePath(options);
    return runBulk<T>(
      unique,
      (chunkIds, callOptions) =>
        transport.send(request(idsTarget(path, chunkIds), chunkIds), callOptions),
      options,
    );
  };

  /** PUT/PATCH: the spec's bulk body is `[{resourceId, body}]`, one id takes the body itself. */
  const change = (
    method: 'PUT' | 'PATCH',
    ids: NonEmptyArray<string>,
    body: Record<string, string>,
    options: (CallOptions & MailboxRef) | undefined,
  ) =>
    perChunk<MessageRecord>(ids, options, (target, chunkIds) => ({
      method,
      ...target,
      group: 'Medium',
      body:
        chunkIds.length > 1
          ? {
              kind: 'raw',
              contentType: MULTIPART_JSON,
              replayable: true,
              create: () => stringifyJson(chunkIds.map((resourceId) => ({ resourceId, body }))),
            }
          : { kind: 'json', value: body },
    }));

  return {
    list(filter = {}, options) {
      return {
        async *[Symbol.asyncIterator]() {
          // Validated on first use, so bad filters reject like every other operation.
          const query = listQuery(filter);
          const path = storePath(filter);
          yield* numberedPages(
            filter.page ?? 1,
            (page) =>
              transport.json<MessagePage>(
                { method: 'GET', path, group: 'Light', query: { ...query, page } },
                options,
              ),
            (result) => result.navigation?.nextPage !== undefined && result.records.length > 0,
          );
        },
      };
    },

    async get(id, options) {
      assertId(id, 'id');
      return transport.json<MessageRecord>(
        { method: 'GET', path: `${storePath(options)}/${id}`, group: 'Light' },
        options,
      );
    },

    async getMany(ids, options) {
      return perChunk<MessageRecord>(ids, options, (target) => ({
        method: 'GET',
        ...target,
        group: 'Light',
      }));
    },

    async update(ids, update, options) {
      assertOneOf(update?.readStatus, READ_STATUS, 'readStatus');
      return change('PUT', ids, { readStatus: update.readStatus }, options);
    },

    async patch(ids, update, options) {
      const body: Record<string, string> = {};
      if (update?.readStatus !== undefined) {
        assertOneOf(update.readStatus, READ_STATUS, 'readStatus');
        body.readStatus = update.readStatus;
      }
      if (update?.availability !== undefined) {
        assertOneOf(update.availability, AVAILABILITY, 'availability');
        body.availability = update.availability;
      }
      if (Object.keys(body).length === 0) {
        throw new InvalidInputError('patch needs readStatus or availability');
      }
      return change('PATCH', ids, body, options);
    },

    async restore(ids, options) {
      return change('PATCH', ids, { availability: 'Alive' }, options);
    },

    async delete(ids, options) {
      if (options?.type !== undefined) assertOneOf(options.type, DELETE_TYPES, 'type');
      return perChunk<never>(ids, options, (target) => ({
        method: 'DELETE',
        ...target,
        group: 'Medium',
        query: { purge: options?.purge ? true : undefined, type: options?.type },
      }));
    },

    async deleteConversations(criteria, options) {
      const conversationIds = assertIds(criteria?.conversationIds, 'conversationIds');
      if (criteria.type !== undefined) assertOneOf(criteria.type, DELETE_TYPES, 'type');
      const dateTo =
        criteria.dateTo === undefined ? undefined : assertDateTime(criteria.dateTo, 'dateTo');
      for (const ids of chunk(conversationIds, MAX_IDS_PER_REQUEST)) {
        await transport.send(
          {
            method: 'DELETE',
            path: storePath(criteria),
            group: 'Medium',
            query: {
              conversationId: ids,
              dateTo,
              type: criteria.type,
              purge: criteria.purge ? true : undefined,
            },
          },
          options,
        );
      }
    },
  };
}

/**
 * Path and Accept of a request for `ids`: several ids answer 207, asked for in the JSON format
 * that `parseBulkResponse` reads; one id answers like a plain single-resource call.
 */
function idsTarget(storePath: string, ids: string[]): { path: string; accept: string } {
  // Belt and braces: a DELETE on the bare collection empties the mailbox.
  if (ids.length === 0) throw new InvalidInputError('Refusing a request without ids');
  return {
    path: `${storePath}/${ids.join(',')}`,
    accept: ids.length > 1 ? MULTIPART_JSON : 'application/json',
  };
}

function listQuery(
  filter: MessageListFilter,
): Record<string, string | number | boolean | readonly string[] | undefined> {
  if (filter.perPage !== undefined) assertInteger(filter.perPage, 1, 1000, 'perPage');
  if (filter.page !== undefined) assertInteger(filter.page, 1, Number.MAX_SAFE_INTEGER, 'page');
  if (filter.conversationId !== undefined) assertId(filter.conversationId, 'conversationId');
  return {
    availability: filter.availability,
    conversationId: filter.conversationId,
    dateFrom:
      filter.dateFrom === undefined ? undefined : assertDateTime(filter.dateFrom, 'dateFrom'),
    dateTo: filter.dateTo === undefined ? undefined : assertDateTime(filter.dateTo, 'dateTo'),
    direction: filter.direction,
    distinctConversations: filter.distinctConversations,
    messageType: filter.messageType,
    readStatus: filter.readStatus,
    phoneNumber: filter.phoneNumber,
    perPage: filter.perPage,
  };
}
