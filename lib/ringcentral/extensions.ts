import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import { numberedPages } from './numbered-pages.ts';
import type { MailboxRef } from './paths.ts';
import { accountPath, extensionPath } from './paths.ts';
import type {
  ExtensionDetails,
  ExtensionPage,
  ExtensionRecord,
  ExtensionStatus,
  ExtensionType,
  PhoneNumberPage,
  UserPhoneNumber,
} from './types.ts';
import { assertId, assertInteger, assertOneOf } from './validation.ts';

/** Every `ExtensionStatusEnumFull` value. */
export const EXTENSION_STATUSES: readonly ExtensionStatus[] = [
  'Enabled',
  'Disabled',
  'Frozen',
  'NotActivated',
  'Unassigned',
];

/** Every `AllExtensionTypesEnum` value. */
export const EXTENSION_TYPES: readonly ExtensionType[] = [
  'User',
  'Department',
  'Announcement',
  'Voicemail',
  'DigitalUser',
  'VirtualUser',
  'FaxUser',
  'PagingOnly',
  'SharedLinesGroup',
  'DelegatedLinesGroup',
  'GroupCallPickup',
  'IvrMenu',
  'ApplicationExtension',
  'ProxyAdmin',
  'RoomConnector',
  'ParkLocation',
  'Limited',
  'Bot',
  'Site',
  'Room',
  'FlexibleUser',
  'TieLine',
  'Unknown',
];

/** RingCentral's largest page of the extension list (FACTS.md: default 100, max 1000). */
export const MAX_EXTENSIONS_PER_PAGE = 1000;

/** Filters of `GET /restapi/v1.0/account/{accountId}/extension` (listExtensions). */
export interface ExtensionListFilter extends Pick<MailboxRef, 'accountId'> {
  /** Any of these statuses; `Unassigned` means extensions without an extension number. */
  status?: readonly ExtensionStatus[];
  /** Any of these types. */
  type?: readonly ExtensionType[];
  /** Exactly this short number. */
  extensionNumber?: string;
  /** Any of these contact emails. */
  email?: readonly string[];
  /** First page to read; default 1. */
  page?: number;
  /** Records per page, 1-1000; RingCentral's default is 100. */
  perPage?: number;
}

/** The account's extensions: listExtensions (Medium group) and readExtension (Light). */
export interface ExtensionsApi {
  /**
   * Pages of the extension list, one Medium request each, from `filter.page` (default 1) until
   * RingCentral says there is no next page. The list is paged by position: an extension
   * created or deleted while the pages are read can shift another one across a page boundary,
   * so a complete picture comes from listing again, not from one pass.
   */
  pages(filter?: ExtensionListFilter, options?: CallOptions): AsyncIterable<ExtensionPage>;
  /** Every record of every page, each id once (first seen wins), in RingCentral's order. */
  list(filter?: ExtensionListFilter, options?: CallOptions): Promise<ExtensionRecord[]>;
  /**
   * One extension (`~` is the token's own). A non-admin token reading another extension
   * throws `InsufficientPermissionsError` (403 CMN-408); an unknown id `NotFoundError`.
   */
  get(
    extensionId: string,
    options?: CallOptions & Pick<MailboxRef, 'accountId'>,
  ): Promise<ExtensionDetails>;
  /**
   * Every phone number of an extension (`~` is the token's own) with its `features`: which
   * may send SMS (`SmsSender`) or high-volume SMS (`A2PSmsSender`). Light group, one request
   * per page of up to 1000.
   */
  phoneNumbers(
    extensionId: string,
    options?: CallOptions & Pick<MailboxRef, 'accountId'>,
  ): Promise<UserPhoneNumber[]>;
}

/** Builds the extension operations on a transport. */
export function createExtensionsApi(transport: Transport): ExtensionsApi {
  const api: ExtensionsApi = {
    pages(filter = {}, options) {
      return {
        async *[Symbol.asyncIterator]() {
          // Validated on first use, so bad filters reject like every other operation.
          const query = listQuery(filter);
          const path = `${accountPath(filter)}/extension`;
          yield* numberedPages(
            filter.page ?? 1,
            (page) =>
              transport.json<ExtensionPage>(
                { method: 'GET', path, group: 'Medium', query: { ...query, page } },
                options,
              ),
            hasNextPage,
          );
        },
      };
    },

    async list(filter, options) {
      const byId = new Map<string, ExtensionRecord>();
      for await (const page of api.pages(filter, options)) {
        for (const record of page.records) if (!byId.has(record.id)) byId.set(record.id, record);
      }
      return [...byId.values()];
    },

    async get(extensionId, options) {
      if (extensionId !== '~') assertId(extensionId, 'extensionId');
      return transport.json<ExtensionDetails>(
        {
          method: 'GET',
          path: extensionPath({ accountId: options?.accountId, extensionId }),
          group: 'Light',
        },
        options,
      );
    },

    async phoneNumbers(extensionId, options) {
      if (extensionId !== '~') assertId(extensionId, 'extensionId');
      const path = `${extensionPath({ accountId: options?.accountId, extensionId })}/phone-number`;
      const numbers: UserPhoneNumber[] = [];
      const pages = numberedPages(
        1,
        (page) =>
          transport.json<PhoneNumberPage>(
            {
              method: 'GET',
              path,
              group: 'Light',
              query: { page, perPage: MAX_EXTENSIONS_PER_PAGE },
            },
            options,
          ),
        hasNextPage,
      );
      for await (const result of pages) numbers.push(...result.records);
      return numbers;
    },
  };
  return api;
}

/**
 * Whether another page follows. `navigation.nextPage` is RingCentral's word for it; an empty
 * page, or the last page by `paging.totalPages`, ends the walk even if a link says otherwise.
 */
function hasNextPage(result: ExtensionPage | PhoneNumberPage, page: number): boolean {
  if (result.navigation?.nextPage === undefined) return false;
  if (!Array.isArray(result.records) || result.records.length === 0) return false;
  const totalPages = result.paging?.totalPages;
  return totalPages === undefined || page < totalPages;
}

function listQuery(
  filter: ExtensionListFilter,
): Record<string, string | number | readonly string[] | undefined> {
  if (filter.perPage !== undefined)
    assertInteger(filter.perPage, 1, MAX_EXTENSIONS_PER_PAGE, 'perPage');
  if (filter.page !== undefined) assertInteger(filter.page, 1, Number.MAX_SAFE_INTEGER, 'page');
  for (const status of filter.status ?? []) assertOneOf(status, EXTENSION_STATUSES, 'status');
  for (const type of filter.type ?? []) assertOneOf(type, EXTENSION_TYPES, 'type');
  if (filter.extensionNumber !== undefined && !/^\d{1,8}$/.test(filter.extensionNumber)) {
    throw new InvalidInputError(
      `extensionNumber must be 1-8 digits, got ${JSON.stringify(filter.extensionNumber)}`,
    );
  }
  return {
    status: filter.status?.length ? filter.status : undefined,
    type: filter.type?.length ? filter.type : undefined,
    extensionNumber: filter.extensionNumber,
    email: filter.email?.length ? filter.email : undefined,
    perPage: filter.perPage,
  };
}
