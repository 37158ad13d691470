/**
 * The local RingCentral: `startEmulator()` starts a platform host and a media host on 127.0.0.1
 * that answer like RingCentral for everything the API client uses, and returns handles for tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { A2pSms } from './a2p-sms.ts';
import { ExportTasks } from './export-tasks.ts';
import {
  createExtensionDirectory,
  type ExtensionDirectory,
  type ScheduledExtensionChange,
} from './extension-directory.ts';
import { type FaultOptions, Faults } from './faults.ts';
import { int64, stringifyJson } from './json.ts';
import type { DirectoryChange, Mailbox, MailboxChange } from './mailbox.ts';
import { type EmulatorCredentials, type EmulatorLogin, OAuthServer } from './oauth.ts';
import { RateLimiter, type RateLimitGroup } from './rate-limiter.ts';
import { a2pSmsRoutes } from './routes/a2p-sms.ts';
import { authRoutes } from './routes/auth.ts';
import { configRoutes } from './routes/config.ts';
import { contentRoutes } from './routes/content.ts';
import { exportRoutes } from './routes/export.ts';
import { extensionRoutes } from './routes/extensions.ts';
import { faxRoutes } from './routes/fax.ts';
import { messageRoutes } from './routes/messages.ts';
import { phoneNumberRoutes } from './routes/phone-numbers.ts';
import { sendRoutes } from './routes/send.ts';
import { subscriptionRoutes } from './routes/subscriptions.ts';
import { syncRoutes } from './routes/sync.ts';
import { buildMailbox, type MailboxSeed } from './seed.ts';
import { createHandler, type Exchange, type UnexpectedErrorListener } from './server.ts';
import { type EmulatorState, type EmulatorStats, emptyStats } from './state.ts';
import { Subscriptions } from './subscriptions.ts';

export type {
  A2pBatchRecord,
  A2pMessageRecord,
  A2pOptOutRecord,
  A2pSms,
} from './a2p-sms.ts';
export { OPTED_OUT_ERROR_CODE } from './a2p-sms.ts';
export type {
  ChurnOptions,
  ExtensionDirectory,
  ScheduledExtensionChange,
} from './extension-directory.ts';
export { extensionChurn } from './extension-directory.ts';
export type { ExtensionKind } from './extension-mix.ts';
export type { ExtensionStatus, ExtensionType } from './extension-types.ts';
export { hasMailbox } from './extension-types.ts';
export type {
  DirectoryChange,
  ExtensionInfo,
  MessageDraft,
  MessageStatusUpdate,
} from './mailbox.ts';
export type { StoredAttachment, StoredMessage } from './mailbox-types.ts';
export type {
  EmulatorCredentials,
  EmulatorLogin,
  EmulatorStats,
  Exchange,
  FaultOptions,
  Mailbox,
  MailboxSeed,
  RateLimitGroup,
  UnexpectedErrorListener,
};

/** The credentials used when neither options nor the environment give any (documented in the README). */
export const DEFAULT_CREDENTIALS: EmulatorCredentials = {
  clientId: 'emulator-client-id',
  clientSecret: 'emulator-client-secret',
  jwt: 'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxMDEwMDEiLCJpc3MiOiJyYy1lbXVsYXRvciJ9.emulator',
};

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Platform host port, default 0 (ephemeral). */
  port?: number;
  /** Media host port, default 0. */
  mediaPort?: number;
  /** Defaults from env RC_EMULATOR_CLIENT_ID / _CLIENT_SECRET / _JWT, else {@link DEFAULT_CREDENTIALS}. */
  credentials?: Partial<EmulatorCredentials>;
  /** Default: a small realistic mailbox. */
  mailbox?: 'default' | MailboxSeed;
  /**
   * Further users who log in with the JWT grant, e.g. `{ jwt, extensionId: '101002', admin:
   * false }` for a token that may read only its own mailbox. An entry with the credentials' JWT
   * changes who that JWT logs in as (e.g. the first extension, but not an admin).
   */
  logins?: EmulatorLogin[];
  /** Extensions added, removed or re-statused as the emulator's clock (`now`) passes `afterMs`. */
  extensionSchedule?: ScheduledExtensionChange[];
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** Default 604800. */
  refreshTokenTtlSeconds?: number;
  /** Parallel sessions per user+app, default 5. */
  maxSessions?: number;
  rateLimits?: {
    /** Default true. */
    enabled?: boolean;
    /** Multiplies every window and penalty (0.05 => 60 s becomes 3 s); default 1. */
    windowScale?: number;
    groups?: Partial<Record<RateLimitGroup, { limit: number; windowSeconds: number }>>;
    /** Default 60. */
    penaltySeconds?: number;
    /** The clock (epoch ms) windows and penalties run on; default `Date.now`. */
    now?: () => number;
  };
  faults?: FaultOptions;
  /** Every request/response pair, for contract tests. */
  onExchange?: (exchange: Exchange) => void;
  /**
   * Told of every error a handler threw that is not a RingCentral answer (a bug or a missing
   * platform feature, answered 500 CMN-201); default: its stack on stderr. Injected faults are
   * not reported here.
   */
  onUnexpectedError?: UnexpectedErrorListener;
  /** How long a used refresh token still returns the tokens it was exchanged for, default 5000 ms. */
  refreshGraceMs?: number;
  /** Time from an A2P batch's creation to its completion, default 300 ms. */
  a2pStepMs?: number;
  /** Time between export task status steps, default 200 ms. */
  exportStepMs?: number;
  /**
   * `automatic` (default): outbound SMS and faxes are delivered a moment after the send;
   * `manual`: they stay `Queued` until moved with `mailbox.setMessageStatus` or
   * `POST /__emulator/messages/{id}/status`.
   */
  messageStatusUpdates?: 'automatic' | 'manual';
  /** Webhook handshake and delivery timeout, default 3000 ms. */
  webhookTimeoutMs?: number;
  /**
   * The clock (epoch ms) that access and refresh tokens expire by, export tasks advance by and
   * new message ids start from;
   * default `Date.now`. Tests compress time with it (e.g. a simulated day of token refreshes in
   * seconds).
   */
  now?: () => number;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Platform base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Media host base URL. */
  mediaUrl: string;
  credentials: EmulatorCredentials;
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(faults: FaultOptions): void;
  /** Direct access for tests: list/add/receive messages per extension, attachment bytes. */
  mailbox: Mailbox;
  /** Direct access for tests (e.g. `blacklist(id)`). */
  subscriptions: Subscriptions;
  /** Adds, removes and disables extensions (each change is published as an extension event). */
  extensions: ExtensionDirectory;
  /** High-volume SMS for tests: `optOut(from, to)`, `batch(id)`, `messagesOf(batchId)`. */
  a2p: A2pSms;
  /** Gives the extension's SMS number `phoneNumber` the `A2PSmsSender` feature. */
  enableA2pSender(phoneNumber: string): void;
  /** Resolves when every webhook delivery started so far has finished. */
  deliveriesSettled(): Promise<void>;
  /** Closes both listeners and every open socket. */
  stop(): Promise<void>;
}

/** The credentials in effect: options, then environment, then defaults. */
export function resolveCredentials(given: Partial<EmulatorCredentials> = {}): EmulatorCredentials {
  return {
    clientId: given.clientId ?? process.env.RC_EMULATOR_CLIENT_ID ?? DEFAULT_CREDENTIALS.clientId,
    clientSecret:
      given.clientSecret ??
      process.env.RC_EMULATOR_CLIENT_SECRET ??
      DEFAULT_CREDENTIALS.clientSecret,
    jwt: given.jwt ?? process.env.RC_EMULATOR_JWT ?? DEFAULT_CREDENTIALS.jwt,
  };
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://${host}:${address.port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts the local RingCentral (platform and media hosts). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const credentials = resolveCredentials(options.credentials);
  let platformUrl = '';
  let mediaUrl = '';
  const urls = { platformUrl: () => platformUrl, mediaUrl: () => mediaUrl };
  const platformServer = createServer();
  const mediaServer = createServer();
  platformUrl = await listen(platformServer, options.port ?? 0, host);
  try {
    mediaUrl = await listen(mediaServer, options.mediaPort ?? 0, host);
  } catch (error) {
    await close(platformServer);
    throw error;
  }
  const mailbox = buildMailbox(options.mailbox ?? 'default', urls);
  // The seeded messages keep their ids on every run; what this run creates is numbered from its
  // start time (room for 10 per millisecond the run lasts), so a restart never reuses an id an
  // earlier run gave out; ids stay below 2^53 (about 1.3e14 now), as RingCentral's do.
  mailbox.continueIdsFrom(BigInt(Math.max(0, Math.floor((options.now ?? Date.now)()))) * 10n);
  const user = mailbox.extensions[0]?.id ?? '';
  const state: EmulatorState = {
    mailbox,
    credentials,
    oauth: new OAuthServer({
      credentials,
      userExtensionId: user,
      ...(options.logins === undefined ? {} : { logins: options.logins }),
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 604_800,
      maxSessions: options.maxSessions ?? 5,
      ...(options.refreshGraceMs === undefined ? {} : { refreshGraceMs: options.refreshGraceMs }),
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    limiter: new RateLimiter(options.rateLimits),
    faults: new Faults(options.faults),
    exportTasks: new ExportTasks({
      accountId: mailbox.accountId,
      baseUrl: urls.platformUrl,
      messages: () => mailbox.all(),
      openAttachment: (messageId, attachmentId) => mailbox.openAttachment(messageId, attachmentId),
      ...(options.exportStepMs === undefined ? {} : { stepMs: options.exportStepMs }),
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    subscriptions: new Subscriptions({
      baseUrl: urls.platformUrl,
      ...(options.webhookTimeoutMs === undefined
        ? {}
        : { handshakeTimeoutMs: options.webhookTimeoutMs }),
    }),
    a2p: new A2pSms({
      ...(options.a2pStepMs === undefined ? {} : { stepMs: options.a2pStepMs }),
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    stats: emptyStats(),
    extensions: createExtensionDirectory(mailbox, options.extensionSchedule, options.now),
    messageStatusUpdates: options.messageStatusUpdates ?? 'automatic',
    ...urls,
  };
  const deliveries = new Set<Promise<void>>();
  mailbox.onChange((change) => {
    for (const delivery of publishChange(state, change)) {
      deliveries.add(delivery);
      void delivery.finally(() => deliveries.delete(delivery));
    }
  });
  mailbox.onDirectoryChange((change) => {
    const delivery = publishDirectoryChange(state, change);
    deliveries.add(delivery);
    void delivery.finally(() => deliveries.delete(delivery));
  });
  const routes = [
    ...authRoutes(state),
    ...extensionRoutes(state),
    ...phoneNumberRoutes(state),
    ...messageRoutes(state),
    ...contentRoutes(state),
    ...syncRoutes(state),
    ...sendRoutes(state),
    ...a2pSmsRoutes(state),
    ...faxRoutes(state),
    ...exportRoutes(state),
    ...configRoutes(state),
    ...subscriptionRoutes(state),
  ];
  const listeners = {
    ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    ...(options.onUnexpectedError ? { onUnexpectedError: options.onUnexpectedError } : {}),
  };
  platformServer.on('request', createHandler('platform', state, routes, listeners));
  mediaServer.on('request', createHandler('media', state, routes, listeners));
  const settle = async () => {
    while (deliveries.size > 0) await Promise.allSettled([...deliveries]);
  };
  return {
    url: platformUrl,
    mediaUrl,
    credentials,
    mailbox,
    subscriptions: state.subscriptions,
    extensions: state.extensions,
    a2p: state.a2p,
    enableA2pSender: (phoneNumber) => {
      const owner = mailbox.extensions.find((extension) =>
        extension.smsNumbers.includes(phoneNumber),
      );
      if (!owner) throw new Error(`No extension has the SMS number ${phoneNumber}`);
      owner.a2pSmsNumbers = [...new Set([...(owner.a2pSmsNumbers ?? []), phoneNumber])];
    },
    stats: () => structuredClone(state.stats),
    resetStats: () => {
      Object.assign(state.stats, emptyStats());
    },
    setFaults: (faults) => state.faults.set(faults),
    deliveriesSettled: settle,
    stop: async () => {
      await Promise.all([close(platformServer), close(mediaServer)]);
      await settle();
    },
  };
}

/** Sends the extension-list event (`ExtensionListEventBody`) of an added, changed or removed extension. */
function publishDirectoryChange(state: EmulatorState, change: DirectoryChange): Promise<void> {
  const { accountId } = state.mailbox;
  const owner = state.mailbox.extensions[0]?.id ?? '';
  return state.subscriptions.publish(`/restapi/v1.0/account/${accountId}/extension`, owner, {
    extensionId: change.extensionId,
    eventType: change.eventType,
    ownerId: owner,
  });
}

/** Sends the message-store event (and the instant SMS event for inbound SMS) of a change. */
function publishChange(state: EmulatorState, change: MailboxChange): Promise<void>[] {
  const { accountId } = state.mailbox;
  const base = `/restapi/v1.0/account/${accountId}/extension/${change.extensionId}/message-store`;
  const byType = new Map<string, { newIds: string[]; updated: number }>();
  for (const message of change.created) {
    const entry = byType.get(message.type) ?? { newIds: [], updated: 0 };
    entry.newIds.push(message.id);
    byType.set(message.type, entry);
  }
  for (const message of change.updated) {
    const entry = byType.get(message.type) ?? { newIds: [], updated: 0 };
    entry.updated += 1;
    byType.set(message.type, entry);
  }
  const body = {
    extensionId: change.extensionId,
    lastUpdated: new Date().toISOString(),
    changes: [...byType].map(([type, entry]) => ({
      type,
      newCount: entry.newIds.length,
      updatedCount: entry.updated,
      newMessageIds: entry.newIds.map(int64),
    })),
    ownerId: change.extensionId,
  };
  const deliveries = [state.subscriptions.publish(base, change.extensionId, stringifyJson(body))];
  for (const message of change.created) {
    if (message.type !== 'SMS' || message.direction !== 'Inbound') continue;
    const instant = {
      id: message.id,
      to: message.to,
      from: message.from,
      type: message.type,
      creationTime: message.creationTime,
      lastModifiedTime: message.lastModifiedTime,
      readStatus: message.readStatus,
      priority: message.priority ?? 'Normal',
      attachments: message.attachments.map((attachment) => ({
        ...attachment,
        id: int64(attachment.id),
      })),
      direction: message.direction,
      availability: message.availability,
      subject: message.subject,
      messageStatus: message.messageStatus,
      conversationId: message.conversationId,
      conversation: message.conversation,
      ownerId: change.extensionId,
    };
    deliveries.push(
      state.subscriptions.publish(
        `${base}/instant?type=SMS`,
        change.extensionId,
        stringifyJson(instant),
      ),
    );
  }
  return deliveries;
}
