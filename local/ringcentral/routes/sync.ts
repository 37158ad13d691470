/** message-sync: FSync from a date range, ISync from a token that encodes a change-log position. */
import { RcError } from '../errors.ts';
import {
  apiRoute,
  enumList,
  queryDate,
  queryList,
  type RequestContext,
  type Route,
  sendJson,
} from '../http.ts';
import type { EmulatorState } from '../state.ts';
import { messageToWire, reducedToWire } from '../wire.ts';
import { resolveExtension } from './resolve.ts';

const DAY_MS = 86_400_000;

/** The message-sync route. */
export function syncRoutes(state: EmulatorState): Route[] {
  return [
    apiRoute(
      'GET',
      '/restapi/v1.0/account/{accountId}/extension/{extensionId}/message-sync',
      'Light',
      (context) => sync(state, context),
    ),
  ];
}

function fullSyncRequired(): RcError {
  return new RcError(
    400,
    'MSG-333',
    'Parameter [syncToken] is invalid: full synchronization is required',
    {
      parameterName: 'syncToken',
    },
  );
}

/** Token: `<mailbox epoch>.<extension id>.<change-log position>`, base64url. */
function encodeToken(epoch: string, extensionId: string, position: number): string {
  return Buffer.from(`${epoch}.${extensionId}.${position}`).toString('base64url');
}

function decodeToken(token: string, epoch: string, extensionId: string): number {
  const [tokenEpoch, tokenExtension, position] = Buffer.from(token, 'base64url')
    .toString()
    .split('.');
  const value = Number(position);
  if (
    tokenEpoch !== epoch ||
    tokenExtension !== extensionId ||
    !Number.isInteger(value) ||
    value < 0
  ) {
    throw fullSyncRequired();
  }
  return value;
}

async function sync(state: EmulatorState, context: RequestContext): Promise<void> {
  const extensionId = resolveExtension(state, context, 'ReadMessages');
  const { query } = context;
  const syncType = query.get('syncType') ?? 'FSync';
  const { mailbox } = state;
  const syncTime = new Date().toISOString();
  const uri = `${state.platformUrl()}${context.path}?${query.toString()}`;
  if (syncType === 'ISync') {
    const token = query.get('syncToken');
    if (!token) throw fullSyncRequired();
    const position = decodeToken(token, mailbox.epoch, extensionId);
    if (position > mailbox.currentPosition()) throw fullSyncRequired();
    const changes = mailbox.changesSince(extensionId, position);
    sendJson(context, 200, {
      uri,
      records: changes.records.map((message) =>
        message.availability === 'Alive' ? messageToWire(message) : reducedToWire(message),
      ),
      syncInfo: {
        syncType: 'ISync',
        syncToken: encodeToken(mailbox.epoch, extensionId, changes.position),
        syncTime,
        olderRecordsExist: false,
      },
    });
    return;
  }
  if (syncType !== 'FSync') {
    throw new RcError(400, 'CMN-101', 'Parameter [syncType] value is invalid', {
      parameterName: 'syncType',
    });
  }
  // Read the position before the records so a change racing this request shows up in the next ISync.
  const position = mailbox.currentPosition();
  const dateTo = queryDate(query, 'dateTo') ?? Date.now() + 1;
  const dateFrom = queryDate(query, 'dateFrom') ?? dateTo - DAY_MS;
  const recordCountRaw = query.get('recordCount');
  const recordCount = recordCountRaw ? Number(recordCountRaw) : undefined;
  if (recordCount !== undefined && (!Number.isInteger(recordCount) || recordCount < 1)) {
    throw new RcError(400, 'CMN-101', 'Parameter [recordCount] value is invalid', {
      parameterName: 'recordCount',
    });
  }
  const matched = mailbox.find(extensionId, {
    availability: ['Alive'],
    dateFrom,
    dateTo,
    conversationId: query.get('conversationId') ?? undefined,
    direction: enumList(
      queryList(query, 'direction'),
      ['Inbound', 'Outbound'] as const,
      'direction',
    ),
    messageType: enumList(
      queryList(query, 'messageType'),
      ['Fax', 'SMS', 'VoiceMail', 'Pager', 'Text'] as const,
      'messageType',
    ),
  });
  const records = recordCount === undefined ? matched : matched.slice(0, recordCount);
  sendJson(context, 200, {
    uri,
    records: records.map(messageToWire),
    syncInfo: {
      syncType: 'FSync',
      syncToken: encodeToken(mailbox.epoch, extensionId, position),
      syncTime,
      olderRecordsExist: records.length < matched.length,
    },
  });
}
