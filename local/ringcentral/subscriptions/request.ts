import { SubscriptionError } from './errors.ts';

/** Seven days: the lifetime when a request has no `expiresIn`. */
export const DEFAULT_EXPIRES_IN = 604_800;
/** Ten years: the longest lifetime the spec allows for a WebHook. */
export const MAX_EXPIRES_IN = 315_360_000;

/** A checked `CreateSubscriptionRequest` (WebHook transport only). */
export interface ValidCreateRequest {
  eventFilters: string[];
  expiresIn: number;
  address: string;
  verificationToken?: string;
}

/** A checked `UpdateSubscriptionRequest`; empty means "renew". */
export interface ValidUpdateRequest {
  eventFilters?: string[];
  expiresIn?: number;
}

/** Checks a create request against the spec's `CreateSubscriptionRequest`; throws CMN-101. */
export function parseCreateRequest(request: unknown): ValidCreateRequest {
  if (!isObject(request)) throw SubscriptionError.invalid('body');
  const eventFilters = parseEventFilters(request.eventFilters);
  const expiresIn = parseExpiresIn(request.expiresIn) ?? DEFAULT_EXPIRES_IN;
  const mode = request.deliveryMode;
  if (!isObject(mode)) throw SubscriptionError.invalid('deliveryMode');
  if (mode.transportType !== 'WebHook')
    throw SubscriptionError.invalid('deliveryMode.transportType');
  if (typeof mode.address !== 'string' || !isHttpUrl(mode.address)) {
    throw SubscriptionError.invalid('deliveryMode.address');
  }
  const token = mode.verificationToken;
  if (token !== undefined && (typeof token !== 'string' || token.length === 0)) {
    throw SubscriptionError.invalid('deliveryMode.verificationToken');
  }
  return {
    eventFilters,
    expiresIn,
    address: mode.address,
    ...(token === undefined ? {} : { verificationToken: token }),
  };
}

/**
 * Checks an update request against `UpdateSubscriptionRequest`. An absent or empty body renews;
 * fields other than `eventFilters` and `expiresIn` are ignored, as the spec says.
 */
export function parseUpdateRequest(request: unknown): ValidUpdateRequest {
  if (request === undefined || request === null) return {};
  if (!isObject(request)) throw SubscriptionError.invalid('body');
  if (Object.keys(request).length === 0) return {};
  const expiresIn = parseExpiresIn(request.expiresIn);
  return {
    eventFilters: parseEventFilters(request.eventFilters),
    ...(expiresIn === undefined ? {} : { expiresIn }),
  };
}

function parseEventFilters(value: unknown): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((filter) => typeof filter === 'string' && filter.startsWith('/restapi/'))
  ) {
    throw SubscriptionError.invalid('eventFilters');
  }
  return [...value] as string[];
}

function parseExpiresIn(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_EXPIRES_IN
  ) {
    throw SubscriptionError.invalid('expiresIn');
  }
  return value;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
