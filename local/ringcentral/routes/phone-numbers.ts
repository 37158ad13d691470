/**
 * GET .../extension/{extensionId}/phone-number (Light): the extension's numbers with their
 * features. Every SMS number has `SmsSender` (and `A2PSmsSender` when listed as such); the fax
 * number is a caller id without SMS (FACTS.md "Extensions": `from` must be a number of the
 * authorised extension with `SmsSender`).
 */
import { badParameter } from '../errors.ts';
import { apiRoute, type RequestContext, type Route, sendJson } from '../http.ts';
import { int64 } from '../json.ts';
import type { ExtensionInfo } from '../mailbox.ts';
import type { EmulatorState } from '../state.ts';
import { pageOf } from './paging.ts';
import { resolveDirectoryEntry } from './resolve.ts';

const PATH = '/restapi/v1.0/account/{accountId}/extension/{extensionId}/phone-number';
/** The spec's default page size; its `EnumeratedPagingModel` allows at most 1000. */
const DEFAULT_PER_PAGE = 100;
const MAX_PER_PAGE = 1000;

/** The phone-number list route. */
export function phoneNumberRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute('GET', PATH, 'Light', async (context) => {
      const extensionId = resolveDirectoryEntry(state, context, 'ReadUserPhoneNumbers');
      const extension = state.mailbox.extension(extensionId);
      if (extension) list(state, context, extension);
    }),
  ];
}

function list(state: EmulatorState, context: RequestContext, extension: ExtensionInfo): void {
  const page = pageNumber(context.query.get('page'), 'page', 1);
  const perPage = Math.min(
    pageNumber(context.query.get('perPage'), 'perPage', DEFAULT_PER_PAGE),
    MAX_PER_PAGE,
  );
  const base = `${state.platformUrl()}${context.path}`;
  const pageUri = (target: number) => `${base}?page=${target}&perPage=${perPage}`;
  const result = pageOf(numbersOf(extension), page, perPage, pageUri);
  sendJson(context, 200, {
    uri: pageUri(page),
    records: result.records.map((number) => ({
      ...number,
      id: int64(number.phoneNumber.slice(1)),
      uri: `${base}/${number.phoneNumber.slice(1)}`,
    })),
    paging: result.paging,
    navigation: result.navigation,
  });
}

function pageNumber(raw: string | null, name: string, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw badParameter(name);
  return value;
}

/** A `UserPhoneNumberInfo` before its id and uri (both the number's digits) are added. */
interface NumberRecord {
  phoneNumber: string;
  [field: string]: unknown;
}

/** The spec's `UserPhoneNumberInfo` records of the extension, SMS numbers first. */
function numbersOf(extension: ExtensionInfo): NumberRecord[] {
  const a2p = new Set(extension.a2pSmsNumbers ?? []);
  const sms = extension.smsNumbers.map((phoneNumber, index) => ({
    phoneNumber,
    paymentType: 'Local',
    primary: index === 0,
    status: 'Normal',
    type: 'VoiceFax',
    usageType: 'DirectNumber',
    features: ['CallerId', 'SmsSender', ...(a2p.has(phoneNumber) ? ['A2PSmsSender'] : [])],
  }));
  if (extension.faxNumber === '' || extension.smsNumbers.includes(extension.faxNumber)) return sms;
  return [
    ...sms,
    {
      phoneNumber: extension.faxNumber,
      paymentType: 'Local',
      primary: sms.length === 0,
      status: 'Normal',
      type: 'FaxOnly',
      usageType: 'DirectNumber',
      features: ['CallerId'],
    },
  ];
}
