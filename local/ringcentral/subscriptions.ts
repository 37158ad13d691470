import { randomBytes, randomUUID } from 'node:crypto';
import { SubscriptionError } from './subscriptions/errors.ts';
import {
  eventMatchesFilter,
  expandEventFilter,
  type SubscriptionOwner,
} from './subscriptions/event-filter.ts';
import { parseCreateRequest, parseUpdateRequest } from './subscriptions/request.ts';
import { deliverNotification, validateWebhookAddress } from './subscriptions/webhook-http.ts';

export { SubscriptionError } from './subscriptions/errors.ts';
export type { SubscriptionOwner } from './subscriptions/event-filter.ts';

/**
 * The spec's `SubscriptionInfo` for a WebHook subscription. `expiresIn` is the remaining lifetime
 * in seconds, as RingCentral reports it. `verificationToken` is write-only in the spec and never
 * returned.
 */
export type SubscriptionInfo = {
  id: string;
  uri: string;
  eventFilters: string[];
  expirationTime: string;
  expiresIn: number;
  status: 'Active' | 'Suspended' | 'Blacklisted';
  creationTime: string;
  deliveryMode: {
    transportType: 'WebHook';
    address: string;
    encryption: false;
    verificationToken?: string;
  };
  blacklistedData?: { blacklistedAt: string; reason: string };
};

/** Options of `Subscriptions`. */
export interface SubscriptionsOptions {
  /** Platform base URL for `uri` fields. */
  baseUrl: () => string;
  /** Subscriptions per owner (user + app), default 30. */
  maxPerOwner?: number;
  /** How long the handshake and each delivery may take, default 3000 ms. */
  handshakeTimeoutMs?: number;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

interface SubscriptionState {
  id: string;
  ownerKey: string;
  owner?: SubscriptionOwner;
  eventFilters: string[];
  expiresIn: number;
  expiresAt: number;
  createdAt: number;
  address: string;
  verificationToken?: string;
  blacklisted?: { at: number; reason: string };
}

/**
 * The WebHook subscriptions of the local RingCentral. Creation performs the `Validation-Token`
 * handshake; a subscription past its expiration time is gone (404), as RingCentral removes it;
 * a Blacklisted one receives nothing and can only be deleted.
 */
export class Subscriptions {
  readonly #baseUrl: () => string;
  readonly #maxPerOwner: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #subscriptions = new Map<string, SubscriptionState>();
  /** Creations waiting for their handshake, per owner: they hold a slot of the limit. */
  readonly #pending = new Map<string, number>();

  constructor(options: SubscriptionsOptions) {
    this.#baseUrl = options.baseUrl;
    this.#maxPerOwner = options.maxPerOwner ?? 30;
    this.#timeoutMs = options.handshakeTimeoutMs ?? 3000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Creates a subscription after a successful handshake with `deliveryMode.address`. `owner`
   * (optional) gives the ids `~` stands for in the filters; without it `~` matches any id.
   * Throws `SubscriptionError` on a bad request, over the limit, or a failed handshake.
   */
  async create(
    ownerKey: string,
    request: unknown,
    owner?: SubscriptionOwner,
  ): Promise<SubscriptionInfo> {
    const valid = parseCreateRequest(request);
    const pending = this.#pending.get(ownerKey) ?? 0;
    if (this.#owned(ownerKey).length + pending >= this.#maxPerOwner) {
      throw new SubscriptionError(400, 'SUB-505', 'Subscriptions limit exceeded');
    }
    this.#pending.set(ownerKey, pending + 1);
    try {
      await validateWebhookAddress(valid.address, this.#timeoutMs);
    } finally {
      const left = (this.#pending.get(ownerKey) ?? 1) - 1;
      if (left > 0) this.#pending.set(ownerKey, left);
      else this.#pending.delete(ownerKey);
    }
    const now = this.#now();
    const state: SubscriptionState = {
      id: newSubscriptionId(),
      ownerKey,
      ...(owner ? { owner } : {}),
      eventFilters: valid.eventFilters.map((filter) => expandEventFilter(filter, owner)),
      expiresIn: valid.expiresIn,
      expiresAt: now + valid.expiresIn * 1000,
      createdAt: now,
      address: valid.address,
      ...(valid.verificationToken === undefined
        ? {}
        : { verificationToken: valid.verificationToken }),
    };
    this.#subscriptions.set(state.id, state);
    return this.#view(state);
  }

  /** The owner's subscription; undefined when unknown, someone else's, or expired. */
  get(ownerKey: string, id: string): SubscriptionInfo | undefined {
    const state = this.#find(ownerKey, id);
    return state ? this.#view(state) : undefined;
  }

  /** The owner's live subscriptions (Active and Blacklisted). */
  list(ownerKey: string): SubscriptionInfo[] {
    return this.#owned(ownerKey).map((state) => this.#view(state));
  }

  /** Restarts the lifetime (`expiresIn` as last requested). Throws 404 CMN-102 or 400 SUB-528. */
  renew(ownerKey: string, id: string): SubscriptionInfo {
    const state = this.#modifiable(ownerKey, id);
    state.expiresAt = this.#now() + state.expiresIn * 1000;
    return this.#view(state);
  }

  /**
   * PUT semantics: replaces `eventFilters` and optionally `expiresIn`, then restarts the
   * lifetime; an empty body only renews. Other fields are ignored, as the spec says.
   */
  async update(ownerKey: string, id: string, request: unknown): Promise<SubscriptionInfo> {
    const valid = parseUpdateRequest(request);
    const state = this.#modifiable(ownerKey, id);
    if (valid.eventFilters) {
      state.eventFilters = valid.eventFilters.map((filter) =>
        expandEventFilter(filter, state.owner),
      );
    }
    if (valid.expiresIn !== undefined) state.expiresIn = valid.expiresIn;
    state.expiresAt = this.#now() + state.expiresIn * 1000;
    return this.#view(state);
  }

  /** Cancels the owner's subscription; false when there was none. */
  delete(ownerKey: string, id: string): boolean {
    const state = this.#find(ownerKey, id);
    if (!state) return false;
    return this.#subscriptions.delete(state.id);
  }

  /** Test hook: the subscription becomes Blacklisted and receives nothing more. */
  blacklist(id: string, reason = 'Webhook responses are failing'): void {
    const state = this.#subscriptions.get(id);
    if (state && !state.blacklisted) state.blacklisted = { at: this.#now(), reason };
  }

  /**
   * Delivers an event to every Active subscription with a filter matching `eventPath` (path plus
   * query, e.g. `/restapi/v1.0/account/1/extension/2/message-store`). The envelope is
   * `{uuid, event, timestamp, subscriptionId, ownerId, body}`; `body` given as a string is taken
   * as ready JSON text (so int64 ids can stay bare numbers), anything else is JSON.stringify'd.
   * Resolves when every delivery attempt has finished; failures are ignored.
   */
  async publish(eventPath: string, ownerId: string, body: unknown): Promise<void> {
    const bodyJson = typeof body === 'string' ? body : JSON.stringify(body);
    const now = this.#now();
    const targets = [...this.#subscriptions.values()].filter(
      (state) =>
        !state.blacklisted &&
        state.expiresAt > now &&
        state.eventFilters.some((filter) => eventMatchesFilter(eventPath, filter)),
    );
    await Promise.all(
      targets.map((state) => {
        const head = JSON.stringify({
          uuid: randomUUID(),
          event: eventPath,
          timestamp: new Date(now).toISOString(),
          subscriptionId: state.id,
          ownerId,
        });
        const envelope = `${head.slice(0, -1)},"body":${bodyJson}}`;
        return deliverNotification(
          state.address,
          envelope,
          state.verificationToken,
          this.#timeoutMs,
        );
      }),
    );
  }

  #owned(ownerKey: string): SubscriptionState[] {
    this.#dropExpired();
    return [...this.#subscriptions.values()].filter((state) => state.ownerKey === ownerKey);
  }

  #find(ownerKey: string, id: string): SubscriptionState | undefined {
    this.#dropExpired();
    const state = this.#subscriptions.get(id);
    return state?.ownerKey === ownerKey ? state : undefined;
  }

  #modifiable(ownerKey: string, id: string): SubscriptionState {
    const state = this.#find(ownerKey, id);
    if (!state) throw SubscriptionError.notFound();
    if (state.blacklisted) {
      throw new SubscriptionError(
        400,
        'SUB-528',
        'Subscription is blacklisted; delete it and create a new one',
      );
    }
    return state;
  }

  #dropExpired(): void {
    const now = this.#now();
    for (const [id, state] of this.#subscriptions) {
      if (state.expiresAt <= now) this.#subscriptions.delete(id);
    }
  }

  #view(state: SubscriptionState): SubscriptionInfo {
    const iso = (ms: number) => new Date(ms).toISOString();
    const remaining = Math.max(1, Math.floor((state.expiresAt - this.#now()) / 1000));
    return {
      uri: `${this.#baseUrl()}/restapi/v1.0/subscription/${state.id}`,
      id: state.id,
      creationTime: iso(state.createdAt),
      status: state.blacklisted ? 'Blacklisted' : 'Active',
      eventFilters: [...state.eventFilters],
      expirationTime: iso(state.expiresAt),
      expiresIn: remaining,
      deliveryMode: { transportType: 'WebHook', address: state.address, encryption: false },
      ...(state.blacklisted
        ? {
            blacklistedData: {
              blacklistedAt: iso(state.blacklisted.at),
              reason: state.blacklisted.reason,
            },
          }
        : {}),
    };
  }
}

/**
 * A fresh subscription id: 16 hex characters, so it fits the spec's `subscriptionId` path
 * parameter (at most 20 characters).
 */
function newSubscriptionId(): string {
  return randomBytes(8).toString('hex');
}
