/**
 * A sent batch's progress and a page of its per-recipient results, for the caller that sent it:
 * two Light requests to RingCentral (the batch, a page of its messages), cached for a few seconds
 * so that callers polling in a loop cost RingCentral two requests per page per cache period.
 */
import type { A2pBatch, A2pMessage, A2pSmsApi, CallOptions } from '../ringcentral/index.ts';
import type { SentBatchLedger } from './batch-ports.ts';
import { defined } from './defined-fields.ts';

/** How long a page of progress is served from the cache by default. */
export const DEFAULT_BATCH_CACHE_SECONDS = 5;

/** One recipient's result. */
export interface RecipientResult {
  messageId: string;
  to?: string;
  messageStatus?: string;
  errorCode?: string;
  lastModifiedTime?: string;
}

/** What `GET /sms/batches/{id}` answers. */
export interface BatchStatusView {
  id: string;
  status?: string;
  from?: string;
  batchSize?: number;
  processedCount?: number;
  creationTime?: string;
  lastModifiedTime?: string;
  recipients: RecipientResult[];
  nextPageToken?: string;
  /** When this was read from RingCentral (served from the cache until a few seconds on). */
  readAt: string;
}

/** Which page of results to read. */
export interface ResultPage {
  pageToken?: string;
  perPage?: number;
}

/**
 * The batch is not one this caller sent through this API (or it was never sent): answered as
 * absent, so that a caller learns nothing about other callers' batches.
 */
export class BatchNotFoundError extends Error {
  override name = 'BatchNotFoundError';
  readonly batchId: string;
  constructor(batchId: string) {
    super(`No batch ${batchId} sent by this caller`);
    this.batchId = batchId;
  }
}

function resultOf(message: A2pMessage): RecipientResult {
  return defined({
    messageId: message.id,
    to: message.to?.[0],
    messageStatus: message.messageStatus,
    errorCode: message.errorCode,
    lastModifiedTime: message.lastModifiedTime,
  });
}

function viewOf(
  batch: A2pBatch,
  messages: A2pMessage[],
  nextPageToken: string | undefined,
  readAt: Date,
): BatchStatusView {
  return defined({
    id: batch.id,
    status: batch.status,
    from: batch.from,
    batchSize: batch.batchSize,
    processedCount: batch.processedCount,
    creationTime: batch.creationTime,
    lastModifiedTime: batch.lastModifiedTime,
    recipients: messages.map(resultOf),
    nextPageToken,
    readAt: readAt.toISOString(),
  });
}

/** Options of {@link readBatchStatus}. */
export interface ReadBatchStatusOptions {
  ledger: SentBatchLedger;
  /** The caller's principal. */
  caller: string;
  batchId: string;
  page: ResultPage;
  /** RingCentral's high-volume SMS operations, asked for only when the cache has no answer. */
  a2p(): Promise<Pick<A2pSmsApi, 'getBatch' | 'messagePage'>>;
  cacheSeconds?: number;
  now?: () => Date;
}

/**
 * The batch's progress and one page of results: `BatchNotFoundError` unless the ledger names this
 * caller as its sender; the cached view of that page while it is fresh; else RingCentral's, then
 * cached.
 */
export async function readBatchStatus(
  options: ReadBatchStatusOptions,
  callOptions: CallOptions,
): Promise<BatchStatusView> {
  const { batchId, page, ledger } = options;
  const sender = await ledger.senderOf(batchId);
  if (sender?.caller !== options.caller) throw new BatchNotFoundError(batchId);
  const pageKey = `${page.perPage ?? ''} ${page.pageToken ?? ''}`;
  const cached = await ledger.cachedView(batchId, pageKey);
  if (cached) return cached;
  const a2p = await options.a2p();
  const [batch, messages] = await Promise.all([
    a2p.getBatch(batchId, callOptions),
    a2p.messagePage({ batchId, ...page }, callOptions),
  ]);
  const readAt = (options.now ?? (() => new Date()))();
  const view = viewOf(batch, messages.records, messages.paging?.nextPageToken, readAt);
  await ledger.cacheView(
    batchId,
    pageKey,
    view,
    options.cacheSeconds ?? DEFAULT_BATCH_CACHE_SECONDS,
  );
  return view;
}
