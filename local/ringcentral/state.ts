/** Everything the routes share: the mailbox, OAuth, limits, faults, export tasks, subscriptions, stats. */
import type { A2pSms } from './a2p-sms.ts';
import type { ExportTasks } from './export-tasks.ts';
import type { ExtensionDirectory } from './extension-directory.ts';
import type { Faults } from './faults.ts';
import type { Mailbox } from './mailbox.ts';
import type { EmulatorCredentials, OAuthServer } from './oauth.ts';
import { RATE_LIMIT_GROUPS, type RateLimiter, type RateLimitGroup } from './rate-limiter.ts';
import type { Subscriptions } from './subscriptions.ts';

/** Counters exposed at GET /__emulator/stats. */
export interface EmulatorStats {
  requestsByGroup: Record<RateLimitGroup, number>;
  /** 429s sent. */
  tooManyRequestsByGroup: Record<RateLimitGroup, number>;
  oauthRequests: { jwt: number; refresh: number; revoke: number };
  sent: { sms: number; pager: number; fax: number };
  deleted: number;
  purged: number;
  requests: number;
}

/** Fresh zeroed stats. */
export function emptyStats(): EmulatorStats {
  const perGroup = () =>
    Object.fromEntries(RATE_LIMIT_GROUPS.map((group) => [group, 0])) as Record<
      RateLimitGroup,
      number
    >;
  return {
    requestsByGroup: perGroup(),
    tooManyRequestsByGroup: perGroup(),
    oauthRequests: { jwt: 0, refresh: 0, revoke: 0 },
    sent: { sms: 0, pager: 0, fax: 0 },
    deleted: 0,
    purged: 0,
    requests: 0,
  };
}

/** The shared state every route receives. */
export interface EmulatorState {
  mailbox: Mailbox;
  oauth: OAuthServer;
  limiter: RateLimiter;
  faults: Faults;
  exportTasks: ExportTasks;
  subscriptions: Subscriptions;
  /** High-volume SMS: batches, their messages, opt-outs. */
  a2p: A2pSms;
  credentials: EmulatorCredentials;
  stats: EmulatorStats;
  /** Extensions that appear and disappear (by hand or on schedule). */
  extensions: ExtensionDirectory;
  /**
   * `automatic`: an outbound SMS or fax is delivered a moment after the send; `manual`: it stays
   * `Queued` until a test moves it (`mailbox.setMessageStatus`, `/__emulator/messages/{id}/status`).
   */
  messageStatusUpdates: 'automatic' | 'manual';
  platformUrl(): string;
  mediaUrl(): string;
}
