import type { A2pSmsApi } from './a2p.ts';
import { createA2pSmsApi } from './a2p.ts';
import type { AttachmentsApi } from './attachments.ts';
import { createAttachmentsApi } from './attachments.ts';
import type { TokenSource } from './auth-types.ts';
import type { LimitsOptions, RingCentralHooks, Transport } from './client.ts';
import { createTransport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { RingCentralError } from './errors.ts';
import type { ExportsApi } from './export.ts';
import { createExportsApi } from './export.ts';
import type { ExtensionsApi } from './extensions.ts';
import { createExtensionsApi } from './extensions.ts';
import type { FaxApi } from './fax.ts';
import { createFaxApi } from './fax.ts';
import type { MessagesApi } from './messages.ts';
import { createMessagesApi } from './messages.ts';
import type { MailboxRef } from './paths.ts';
import { accountPath } from './paths.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { PagerApi, SmsApi } from './send.ts';
import { createPagerApi, createSmsApi } from './send.ts';
import type { SubscriptionsApi } from './subscriptions.ts';
import { createSubscriptionsApi } from './subscriptions.ts';
import type { SyncRequest } from './sync.ts';
import { syncMessages } from './sync.ts';
import type { MessageStoreConfiguration, SyncResult } from './types.ts';

export type {
  A2pBatchMessage,
  A2pBatchRequest,
  A2pMessageFilter,
  A2pOptOutFilter,
  A2pSmsApi,
} from './a2p.ts';
export {
  assertBatchId,
  MAX_A2P_MESSAGES_PER_BATCH,
  MAX_A2P_PER_PAGE,
  MAX_A2P_TEXT,
} from './a2p.ts';
export type * from './a2p-types.ts';
export type { AttachmentRef, AttachmentsApi } from './attachments.ts';
export type {
  JwtTokenSource,
  JwtTokenSourceOptions,
  OAuthClient,
  OAuthClientOptions,
  OAuthSession,
  ReloadingTokenSourceOptions,
} from './auth.ts';
export {
  createJwtTokenSource,
  createOAuthClient,
  createReloadingTokenSource,
  staticTokenSource,
} from './auth.ts';
export type { AccessToken, TokenSource } from './auth-types.ts';
export type {
  BudgetGeometry,
  BudgetSettings,
  BudgetWindows,
  ClaimPlan,
  ClaimRequest,
  ReadingPlan,
} from './budget-windows.ts';
export {
  addUsage,
  applyClaim,
  DEFAULT_BUCKETS_PER_WINDOW,
  dueOnAnswer,
  emptyWindows,
  expiredIndexes,
  geometryFor,
  planClaim,
  planReading,
  runsOf,
  sameGeometry,
  spareSlots,
} from './budget-windows.ts';
export type { BulkResult } from './bulk.ts';
export { MAX_IDS_PER_REQUEST } from './bulk.ts';
export type { LimitsOptions, RequestInfo, RingCentralHooks, Transport } from './client.ts';
export type { CallOptions } from './deadline.ts';
export { sleepWithin } from './deadline.ts';
export type { ByteRange, DownloadedContent, DownloadOptions } from './download.ts';
export * from './errors.ts';
export type { ExportRequest, ExportsApi, WaitOptions } from './export.ts';
export { ExportFailedError } from './export.ts';
export type { ExtensionListFilter, ExtensionsApi } from './extensions.ts';
export {
  EXTENSION_STATUSES,
  EXTENSION_TYPES,
  MAX_EXTENSIONS_PER_PAGE,
} from './extensions.ts';
export type { FaxApi, FaxAttachment, FaxRequest } from './fax.ts';
export { JsonInteger, parseJson, stringifyJson } from './json.ts';
export type {
  DeleteConversationsCriteria,
  DeleteOptions,
  MessageListFilter,
  MessagesApi,
} from './messages.ts';
export type { MailboxRef } from './paths.ts';
export type {
  GroupGate,
  GroupSnapshot,
  PacerOptions,
  PacerWaitInfo,
  Permit,
  WaitReason,
} from './rate-limit.ts';
export { RateLimiter } from './rate-limit.ts';
export type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
export { DEFAULT_GROUP_LIMITS } from './rate-limit-groups.ts';
export { RecentDurations } from './recent-durations.ts';
export type { BackoffOptions } from './retry.ts';
export type { PagerApi, PagerParty, PagerRequest, SmsApi, SmsRequest } from './send.ts';
export type {
  BudgetKey,
  BudgetReading,
  ClaimResult,
  GrantedSlot,
  SharedRateBudget,
  SlotClaim,
} from './shared-budget.ts';
export type { SharedBudgetOptions } from './shared-pacer.ts';
export type {
  CreateSubscriptionRequest,
  SubscriptionsApi,
  UpdateSubscriptionRequest,
} from './subscriptions.ts';
export type { FullSyncRequest, IncrementalSyncRequest, SyncRequest } from './sync.ts';
export type * from './types.ts';
export { nonEmpty } from './validation.ts';

/** Settings of a RingCentral client. */
export interface RingCentralOptions {
  /** Platform base URL, e.g. https://platform.ringcentral.com */
  server: string;
  /** Media base URL for attachment content; defaults to `server`. */
  mediaServer?: string;
  tokenSource: TokenSource;
  limits?: LimitsOptions;
  hooks?: RingCentralHooks;
  /** A fetch implementation (proxy, instrumentation). */
  fetch?: typeof fetch;
  /** Share pacing with another client of the same user+app in this process. */
  rateLimiter?: RateLimiter;
}

/** A RingCentral client: every operation takes `CallOptions` (signal, deadline) last. */
export interface RingCentral {
  readonly messages: MessagesApi;
  /** Message sync: FSync or ISync; MSG-333 throws SyncTokenInvalidError. */
  sync(request: SyncRequest, options?: CallOptions): Promise<SyncResult>;
  readonly attachments: AttachmentsApi;
  readonly sms: SmsApi;
  /** High-volume SMS: batches of up to 10,000 messages, their per-recipient results, opt-outs. */
  readonly a2p: A2pSmsApi;
  readonly pager: PagerApi;
  readonly fax: FaxApi;
  readonly exports: ExportsApi;
  readonly subscriptions: SubscriptionsApi;
  /** The account's extensions: list (paged) and read one. */
  readonly extensions: ExtensionsApi;
  readonly configuration: {
    get(options?: CallOptions & Pick<MailboxRef, 'accountId'>): Promise<MessageStoreConfiguration>;
  };
  readonly auth: {
    /** Ends the token source's session (only sources that own one, e.g. the JWT source). */
    revoke(options?: CallOptions): Promise<void>;
  };
  /** The pacer, for diagnostics (`rateLimiter.group('Light').snapshot()`). */
  readonly rateLimiter: RateLimiter;
  /** The request pipeline, for operations this client does not wrap. */
  readonly transport: Transport;
}

/** Creates a RingCentral client. Knows nothing of AWS. */
export function createRingCentral(options: RingCentralOptions): RingCentral {
  const transport = createTransport({
    server: options.server,
    mediaServer: options.mediaServer,
    tokenSource: options.tokenSource,
    limits: options.limits,
    hooks: options.hooks,
    fetch: options.fetch,
    rateLimiter: options.rateLimiter,
  });
  return {
    messages: createMessagesApi(transport),
    sync: (request, callOptions) => syncMessages(transport, request, callOptions),
    attachments: createAttachmentsApi(transport),
    sms: createSmsApi(transport),
    a2p: createA2pSmsApi(transport),
    pager: createPagerApi(transport),
    fax: createFaxApi(transport),
    exports: createExportsApi(transport),
    subscriptions: createSubscriptionsApi(transport),
    extensions: createExtensionsApi(transport),
    configuration: {
      get: (callOptions) =>
        transport.json<MessageStoreConfiguration>(
          {
            method: 'GET',
            path: `${accountPath(callOptions)}/message-store-configuration`,
            group: 'Light',
          },
          callOptions,
        ),
    },
    auth: {
      revoke: async (callOptions) => {
        if (!options.tokenSource.revoke) {
          throw new RingCentralError('This token source does not own a session to revoke');
        }
        await options.tokenSource.revoke(callOptions);
      },
    },
    rateLimiter: transport.rateLimiter,
    transport,
  };
}
