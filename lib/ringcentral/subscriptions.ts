import type { Transport } from './client.ts';
import type { CallOptions } from './deadline.ts';
import { InvalidInputError } from './errors.ts';
import type { Subscription, WebhookDeliveryModeRequest } from './types.ts';
import { assertInteger } from './validation.ts';

/** `CreateSubscriptionRequest` for webhooks. */
export interface CreateSubscriptionRequest {
  eventFilters: string[];
  deliveryMode: WebhookDeliveryModeRequest;
  /** Seconds; without it RingCentral expires the subscription after 7 days. */
  expiresIn?: number;
}

/** `UpdateSubscriptionRequest` */
export interface UpdateSubscriptionRequest {
  eventFilters: string[];
  expiresIn?: number;
}

/** Webhook subscriptions. */
export interface SubscriptionsApi {
  create(request: CreateSubscriptionRequest, options?: CallOptions): Promise<Subscription>;
  get(id: string, options?: CallOptions): Promise<Subscription>;
  list(options?: CallOptions): Promise<Subscription[]>;
  renew(id: string, options?: CallOptions): Promise<Subscription>;
  update(
    id: string,
    request: UpdateSubscriptionRequest,
    options?: CallOptions,
  ): Promise<Subscription>;
  delete(id: string, options?: CallOptions): Promise<void>;
}

/** Longest lifetime RingCentral accepts for a webhook (10 years). */
export const MAX_WEBHOOK_EXPIRES_IN = 315_360_000;
const BASE = '/restapi/v1.0/subscription';

function assertSubscriptionId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !/^[\w-]{1,100}$/.test(id))
    throw new InvalidInputError('Not a subscription id');
}

function assertFilters(filters: unknown): asserts filters is string[] {
  if (
    !Array.isArray(filters) ||
    filters.length === 0 ||
    filters.some((filter) => typeof filter !== 'string' || filter === '')
  ) {
    throw new InvalidInputError('eventFilters must be a non-empty array of filter strings');
  }
}

/** Builds the subscription operations on a transport. */
export function createSubscriptionsApi(transport: Transport): SubscriptionsApi {
  return {
    async create(request, options) {
      assertFilters(request?.eventFilters);
      const mode = request.deliveryMode;
      if (mode?.transportType !== 'WebHook' || !/^https?:\/\//i.test(mode.address ?? '')) {
        throw new InvalidInputError('deliveryMode must be a WebHook with an absolute address');
      }
      if (request.expiresIn !== undefined)
        assertInteger(request.expiresIn, 1, MAX_WEBHOOK_EXPIRES_IN, 'expiresIn');
      return transport.json<Subscription>(
        { method: 'POST', path: BASE, group: 'Medium', body: { kind: 'json', value: request } },
        options,
      );
    },
    async get(id, options) {
      assertSubscriptionId(id);
      return transport.json<Subscription>(
        { method: 'GET', path: `${BASE}/${id}`, group: 'Light' },
        options,
      );
    },
    async list(options) {
      const result = await transport.json<{ records?: Subscription[] }>(
        { method: 'GET', path: BASE, group: 'Light' },
        options,
      );
      return result?.records ?? [];
    },
    async renew(id, options) {
      assertSubscriptionId(id);
      return transport.json<Subscription>(
        { method: 'POST', path: `${BASE}/${id}/renew`, group: 'Light' },
        options,
      );
    },
    async update(id, request, options) {
      assertSubscriptionId(id);
      assertFilters(request?.eventFilters);
      if (request.expiresIn !== undefined)
        assertInteger(request.expiresIn, 1, MAX_WEBHOOK_EXPIRES_IN, 'expiresIn');
      return transport.json<Subscription>(
        {
          method: 'PUT',
          path: `${BASE}/${id}`,
          group: 'Medium',
          body: { kind: 'json', value: request },
        },
        options,
      );
    },
    async delete(id, options) {
      assertSubscriptionId(id);
      await transport.send({ method: 'DELETE', path: `${BASE}/${id}`, group: 'Medium' }, options);
    },
  };
}
