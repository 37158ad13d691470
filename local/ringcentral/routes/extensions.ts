/** The account's extensions: listExtensions (paged, filtered) and readExtension. */
import { badParameter } from '../errors.ts';
import { EXTENSION_STATUSES, EXTENSION_TYPES } from '../extension-types.ts';
import {
  apiRoute,
  enumList,
  queryList,
  type RequestContext,
  type Route,
  sendJson,
} from '../http.ts';
import { int64 } from '../json.ts';
import type { ExtensionInfo } from '../mailbox.ts';
import type { EmulatorState } from '../state.ts';
import { pageOf } from './paging.ts';
import { resolveAccount, resolveDirectoryEntry } from './resolve.ts';

const LIST_PATH = '/restapi/v1.0/account/{accountId}/extension';
/** RingCentral's default and largest page (FACTS.md: default 100, max 1000). */
const DEFAULT_PER_PAGE = 100;
const MAX_PER_PAGE = 1000;

/** GET .../extension (Medium) and GET .../extension/{extensionId} (Light). */
export function extensionRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute('GET', LIST_PATH, 'Medium', async (context) => list(state, context)),
    apiRoute('GET', `${LIST_PATH}/{extensionId}`, 'Light', async (context) => {
      const extensionId = resolveDirectoryEntry(state, context, 'ReadExtensions');
      const extension = state.mailbox.extension(extensionId);
      if (extension) sendJson(context, 200, extensionDetails(state, extension));
    }),
  ];
}

/**
 * Every token may list the account's extensions, as every user sees the company directory; what
 * a non-admin may not do is read another extension or its mailbox (403 CMN-408).
 */
function list(state: EmulatorState, context: RequestContext): void {
  const accountId = resolveAccount(state, context);
  const { query } = context;
  const page = positiveInteger(query.get('page'), 'page', 1, Number.MAX_SAFE_INTEGER);
  const perPage = positiveInteger(query.get('perPage'), 'perPage', DEFAULT_PER_PAGE, MAX_PER_PAGE);
  const statuses = enumList(queryList(query, 'status'), EXTENSION_STATUSES, 'status');
  const types = enumList(queryList(query, 'type'), EXTENSION_TYPES, 'type');
  const number = query.get('extensionNumber') ?? undefined;
  const emails = queryList(query, 'email')?.map((email) => email.toLowerCase());
  const matched = state.mailbox.extensions.filter(
    (extension) =>
      (!statuses || statuses.includes(extension.status)) &&
      (!types || types.includes(extension.type)) &&
      (number === undefined || extension.extensionNumber === number) &&
      (!emails || emails.includes(emailOf(extension))),
  );
  const base = `${state.platformUrl()}${context.path}`;
  const pageUri = (target: number) => {
    const params = new URLSearchParams(query);
    params.set('page', String(target));
    params.set('perPage', String(perPage));
    return `${base}?${params.toString()}`;
  };
  const result = pageOf(matched, page, perPage, pageUri);
  sendJson(context, 200, {
    uri: pageUri(page),
    records: result.records.map((extension) => extensionRecord(state, accountId, extension)),
    paging: result.paging,
    navigation: result.navigation,
  });
}

function positiveInteger(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw badParameter(name);
  return value;
}

/** A list record: the spec's `GetExtensionListInfoResponse`. */
function extensionRecord(
  state: EmulatorState,
  accountId: string,
  extension: ExtensionInfo,
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id: int64(extension.id),
    uri: `${state.platformUrl()}/restapi/v1.0/account/${accountId}/extension/${extension.id}`,
  };
  if (extension.extensionNumber !== '') record.extensionNumber = extension.extensionNumber;
  record.name = extension.name;
  record.type = extension.type;
  record.status = extension.status;
  record.contact = contactOf(extension);
  record.permissions = {
    admin: { enabled: extension.id === state.mailbox.extensions[0]?.id },
  };
  if (extension.type === 'User') record.hidden = false;
  return record;
}

/** A read: the spec's `GetExtensionInfoResponse` (the list record plus account and status info). */
function extensionDetails(state: EmulatorState, extension: ExtensionInfo): Record<string, unknown> {
  const { accountId } = state.mailbox;
  const details = extensionRecord(state, accountId, extension);
  details.account = {
    id: accountId,
    uri: `${state.platformUrl()}/restapi/v1.0/account/${accountId}`,
  };
  if (extension.status === 'Disabled') details.statusInfo = { reason: 'Voluntarily' };
  return details;
}

function contactOf(extension: ExtensionInfo): Record<string, string> {
  const contact: Record<string, string> = { email: emailOf(extension) };
  const [firstName, ...rest] = extension.name.split(' ');
  if (extension.type === 'User' && firstName && rest.length > 0) {
    contact.firstName = firstName;
    contact.lastName = rest.join(' ');
  }
  return contact;
}

/** A deterministic contact email from the extension's number (or id when it has none). */
function emailOf(extension: ExtensionInfo): string {
  return `ext${extension.extensionNumber || extension.id}@example.com`;
}
