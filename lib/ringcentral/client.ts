import ky from 'ky';
import type { AccessToken, TokenSource } from './auth-types.ts';
import type { CallOptions } from './deadline.ts';
import { exchangeSignal, sleepWithin } from './deadline.ts';
import type { RateLimitState } from './errors.ts';
import {
  AbortedError,
  DeadlineExceededError,
  errorFromResponse,
  RingCentralError,
  TransportError,
} from './errors.ts';
import { parseJson, stringifyJson } from './json.ts';
import type { PacerWaitInfo, WaitReason } from './rate-limit.ts';
import { RateLimiter } from './rate-limit.ts';
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
import type { BackoffOptions } from './retry.ts';
import { backoffDelay, backoffPolicy, isIdempotentMethod, neverReachedServer } from './retry.ts';
import type { SharedBudgetOptions } from './shared-pacer.ts';

/** Rate-limit and retry settings; every duration is configurable so tests run in seconds. */
export interface LimitsOptions {
  /** Budgets assumed until responses state the real ones (FACTS defaults otherwise). */
  groups?: Partial<Record<RateLimitGroup, GroupLimit>>;
  /** Requests per window left unused, per group or for all. Default 0. */
  safety?: number | Partial<Record<RateLimitGroup, number>>;
  backoff?: BackoffOptions;
  /** Penalty assumed when a 429 has no Retry-After; RingCentral says at least 30 s. */
  defaultRetryAfterMs?: number;
  /** A budget shared with the user's other processes (see `shared-pacer.ts`). */
  shared?: SharedBudgetOptions;
}

/** Describes one HTTP exchange for the hooks. Never carries tokens or bodies. */
export interface RequestInfo {
  method: string;
  /** URL without its query string. */
  url: string;
  group: RateLimitGroup;
  /** 1 for the first try. */
  attempt: number;
}

/** Metrics and logging hooks; the client depends on no logger. */
export interface RingCentralHooks {
  onRequest?(info: RequestInfo): void;
  onResponse?(
    info: RequestInfo & { status: number; durationMs: number; rateLimit: RateLimitState },
  ): void;
  onWait?(info: {
    group: RateLimitGroup;
    reason: WaitReason | 'backoff';
    waitMs: number | undefined;
  }): void;
  onRetry?(
    info: RequestInfo & {
      reason: 'server-error' | 'network' | 'rate-limited' | 'auth';
      delayMs: number;
      status?: number;
    },
  ): void;
  onRateLimited?(info: RequestInfo & { retryAfterMs: number; rateLimit: RateLimitState }): void;
}

/** Query values; arrays repeat the parameter (`style: form, explode: true`). */
export type QueryValue = string | number | boolean | undefined | readonly string[];

/** A request body and whether it can be sent a second time. */
export type RequestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, string> }
  | {
      kind: 'raw';
      contentType: string;
      /** Produces a fresh body for each attempt. */
      create: () => NonNullable<RequestInit['body']>;
      /** False when the body comes from a one-shot stream: then no attempt is repeated. */
      replayable: boolean;
      contentLength?: number;
    };

/** One operation's request. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path on the chosen host, or an absolute URL (e.g. a record's attachment uri). */
  path: string;
  host?: 'platform' | 'media';
  query?: Record<string, QueryValue>;
  body?: RequestBody;
  headers?: Record<string, string>;
  group: RateLimitGroup;
  /** 'bearer' uses the token source; 'basic' the client credentials (OAuth endpoints). */
  auth?: 'bearer' | 'basic' | 'none';
  accept?: string;
}

/** Settings of the request pipeline. */
export interface TransportOptions {
  server: string;
  mediaServer?: string;
  tokenSource?: TokenSource;
  clientCredentials?: { clientId: string; clientSecret: string };
  limits?: LimitsOptions;
  hooks?: RingCentralHooks;
  /** A fetch implementation, e.g. one with a proxy agent. */
  fetch?: typeof fetch;
  /** Shares pacing with another transport of the same user+app. */
  rateLimiter?: RateLimiter;
  now?: () => number;
}

/** The request pipeline: pacing, auth header, retries, deadline, hooks and error mapping. */
export interface Transport {
  readonly rateLimiter: RateLimiter;
  /** Sends the request; resolves with a 2xx response (body unread) or throws a RingCentralError. */
  send(spec: RequestSpec, options?: CallOptions): Promise<Response>;
  /** Sends the request and parses the JSON body with ids kept as strings. */
  json<T>(spec: RequestSpec, options?: CallOptions): Promise<T>;
}

const OAUTH_RETRY_CODES = new Set(['OAU-210', 'OAU-213']);

/** Builds the request pipeline shared by every operation of one client. */
export function createTransport(options: TransportOptions): Transport {
  const hooks = options.hooks ?? {};
  const policy = backoffPolicy(options.limits?.backoff);
  const defaultRetryAfterMs = options.limits?.defaultRetryAfterMs ?? 30_000;
  const rateLimiter =
    options.rateLimiter ??
    new RateLimiter({
      groups: options.limits?.groups,
      safety: options.limits?.safety,
      shared: options.limits?.shared,
      onWait: (info: PacerWaitInfo) => hooks.onWait?.(info),
      now: options.now,
    });
  const http = ky.create({
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const platform = options.server.replace(/\/+$/, '');
  const media = (options.mediaServer ?? options.server).replace(/\/+$/, '');

  const urlOf = (spec: RequestSpec): string => {
    const base = /^https?:\/\//i.test(spec.path)
      ? spec.path
      : `${spec.host === 'media' ? media : platform}${spec.path.startsWith('/') ? '' : '/'}${spec.path}`;
    const url = new URL(base);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        for (const item of value) url.searchParams.append(key, item);
      } else {
        url.searchParams.set(key, String(value));
      }
    }
    return url.toString();
  };

  async function send(spec: RequestSpec, callOptions?: CallOptions): Promise<Response> {
    const method = spec.method;
    const url = urlOf(spec);
    const bareUrl = url.split('?')[0] ?? url;
    const idempotent = isIdempotentMethod(method);
    const replayable = spec.body?.kind !== 'raw' || spec.body.replayable;
    const auth = spec.auth ?? 'bearer';
    const pacer = rateLimiter.group(spec.group);
    let attempt = 0;
    let retries = 0;
    let reauthenticated = false;
    let lastError: RingCentralError | undefined;

    for (;;) {
      attempt += 1;
      const info: RequestInfo = { method, url: bareUrl, group: spec.group, attempt };
      let token: AccessToken | undefined;
      if (auth === 'bearer') {
        if (!options.tokenSource) throw new RingCentralError('No token source configured');
        token = await options.tokenSource.getToken({ signal: callOptions?.signal });
      }
      let permit: Awaited<ReturnType<typeof pacer.acquire>>;
      try {
        permit = await pacer.acquire(callOptions);
      } catch (error) {
        if (error instanceof DeadlineExceededError && lastError) {
          throw new DeadlineExceededError(
            `${error.message} (after: ${lastError.message})`,
            error.waitMs,
            {
              cause: lastError,
              status: lastError.status,
              errorCode: lastError.errorCode,
              rateLimit: lastError.rateLimit,
            },
          );
        }
        throw error;
      }

      const headers: Record<string, string> = { ...spec.headers };
      headers.accept = spec.accept ?? 'application/json';
      if (token) headers.authorization = `Bearer ${token.accessToken}`;
      if (auth === 'basic') {
        const credentials = options.clientCredentials;
        if (!credentials) {
          permit.cancel();
          throw new RingCentralError('No client credentials configured for the OAuth endpoint');
        }
        headers.authorization = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;
      }
      let body: RequestInit['body'] | undefined;
      let duplex = false;
      if (spec.body?.kind === 'json') {
        headers['content-type'] = 'application/json';
        body = stringifyJson(spec.body.value);
      } else if (spec.body?.kind === 'form') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(spec.body.value).toString();
      } else if (spec.body?.kind === 'raw') {
        headers['content-type'] = spec.body.contentType;
        body = spec.body.create();
        duplex = body instanceof ReadableStream;
      }

      hooks.onRequest?.(info);
      const started = Date.now();
      const exchange = exchangeSignal(callOptions);
      let response: Response;
      try {
        response = await http(url, {
          method,
          headers,
          body,
          signal: exchange.signal,
          ...(duplex ? { duplex: 'half' as const } : {}),
        } as Parameters<typeof http>[1]);
      } catch (error) {
        permit.complete({});
        if (exchange.isDeadline()) {
          throw new DeadlineExceededError(
            `${method} ${bareUrl} did not finish before the deadline`,
            undefined,
            {
              cause: error,
              method,
              url: bareUrl,
            },
          );
        }
        if (callOptions?.signal?.aborted) {
          throw new AbortedError(`${method} ${bareUrl} was aborted`, {
            cause: error,
            method,
            url: bareUrl,
          });
        }
        const received = !neverReachedServer(error);
        const repeatable = (idempotent || !received) && replayable;
        const transportError = new TransportError(
          `${method} ${bareUrl} failed without a response: ${describe(error)}`,
          received && !idempotent,
          { cause: error, method, url: bareUrl },
        );
        if (repeatable && retries < policy.maxRetries) {
          retries += 1;
          lastError = transportError;
          const delayMs = backoffDelay(policy, retries);
          hooks.onRetry?.({ ...info, reason: 'network', delayMs });
          hooks.onWait?.({ group: spec.group, reason: 'backoff', waitMs: delayMs });
          await sleepWithin(delayMs, callOptions, 'retry backoff');
          continue;
        }
        throw transportError;
      }

      const rateLimit = rateLimitState(response.headers);
      const retryAfterMs =
        response.status === 429 ? retryAfter(response.headers, defaultRetryAfterMs) : undefined;
      permit.complete({
        status: response.status,
        headers: response.headers,
        penaltyMs: retryAfterMs,
      });
      hooks.onResponse?.({
        ...info,
        status: response.status,
        durationMs: Date.now() - started,
        rateLimit,
      });
      if (response.ok) return response;

      const errorBody = await readErrorBody(response);
      const error = errorFromResponse(response.status, errorBody, {
        method,
        url: bareUrl,
        requestId:
          response.headers.get('rcrequestid') ?? response.headers.get('x-request-id') ?? undefined,
        rateLimit,
        retryAfterMs,
      });
      lastError = error;
      if (response.status === 429 && retryAfterMs !== undefined) {
        hooks.onRateLimited?.({ ...info, retryAfterMs, rateLimit });
        // A 429 proves the request was not processed, so any method may go again, after the penalty.
        if (replayable && retries < policy.maxRetries) {
          retries += 1;
          hooks.onRetry?.({ ...info, reason: 'rate-limited', delayMs: retryAfterMs, status: 429 });
          continue;
        }
        throw error;
      }
      if (
        response.status === 401 &&
        auth === 'bearer' &&
        token &&
        !reauthenticated &&
        (error.errorCode === undefined || OAUTH_RETRY_CODES.has(error.errorCode))
      ) {
        reauthenticated = true;
        await options.tokenSource?.invalidate?.(token);
        hooks.onRetry?.({ ...info, reason: 'auth', delayMs: 0, status: 401 });
        continue;
      }
      if (response.status >= 500 && idempotent && replayable && retries < policy.maxRetries) {
        retries += 1;
        const delayMs = Math.max(
          backoffDelay(policy, retries),
          response.status === 503 ? (retryAfter(response.headers, 0) ?? 0) : 0,
        );
        hooks.onRetry?.({ ...info, reason: 'server-error', delayMs, status: response.status });
        hooks.onWait?.({ group: spec.group, reason: 'backoff', waitMs: delayMs });
        await sleepWithin(delayMs, callOptions, 'retry backoff');
        continue;
      }
      throw error;
    }
  }

  async function json<T>(spec: RequestSpec, callOptions?: CallOptions): Promise<T> {
    const response = await send(spec, callOptions);
    const text = await response.text();
    return (text.trim() === '' ? undefined : parseJson(text)) as T;
  }

  return { rateLimiter, send, json };
}

/** Reads the rate-limit headers of a response. */
export function rateLimitState(headers: Headers): RateLimitState {
  const number = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === '') return undefined;
    const value = Number(raw);
    return Number.isFinite(value) ? value : undefined;
  };
  return {
    group: headers.get('x-rate-limit-group') ?? undefined,
    limit: number('x-rate-limit-limit'),
    remaining: number('x-rate-limit-remaining'),
    windowSeconds: number('x-rate-limit-window'),
  };
}

/** Retry-After in ms (seconds or HTTP date); `fallbackMs` when absent or unreadable. */
export function retryAfter(headers: Headers, fallbackMs: number): number {
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return fallbackMs;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - Date.now());
}

async function readErrorBody(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    if (text.trim() === '') return undefined;
    try {
      return parseJson(text);
    } catch {
      return { message: text.slice(0, 500) };
    }
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${current.message} (${code})` : current.message);
    current = current.cause;
  }
  return parts.join(': ') || String(error);
}
