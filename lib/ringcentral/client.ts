import type { KyInstance } from 'ky';
import ky from 'ky';
import type { AccessToken, TokenSource } from './auth-types.ts';
import type { CallOptions } from './deadline.ts';
import { exchangeSignal, sleepWithin } from './deadline.ts';
import type { RateLimitState } from './errors.ts';
import { RingCentralError, TransportError } from './errors.ts';
import { parseJson, stringifyJson } from './json.ts';
import type { PacerWaitInfo, Permit, WaitReason } from './rate-limit.ts';
import { RateLimiter } from './rate-limit.ts';
import type { GroupLimit, RateLimitGroup } from './rate-limit-groups.ts';
import type { BuiltRequest, Credentials, Endpoints } from './request.ts';
import { bareUrlOf, buildRequest, endpointsOf, joinedUrlOf } from './request.ts';
import {
  deadlineAfter,
  errorFromFailedExchange,
  errorFromHttpResponse,
  rateLimitState,
  retryAfter,
} from './response.ts';
import type {
  BackoffOptions,
  BackoffPolicy,
  FailedAttempt,
  RetryCounts,
  RetryTraits,
} from './retry.ts';
import { backoffPolicy, decideRetry, isIdempotentMethod } from './retry.ts';
import type { SharedBudgetOptions } from './shared-pacer.ts';
import { awaitNewerToken } from './token-rotation.ts';

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
  /**
   * The caller streams the response body as bytes (a download): a spec without body and query
   * then goes straight to fetch instead of through ky (see {@link createTransport}).
   */
  streamed?: boolean;
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

/**
 * Builds the request pipeline shared by every operation of one client.
 *
 * ky does what it does well here: joining a host and a path (`prefix`), query strings
 * (`searchParams`, arrays repeated), JSON bodies and responses with exact ids (`stringifyJson`,
 * `parseJson`), and the `onRequest` hook (ky's `beforeRequest`, which gets each attempt's
 * RequestInfo through `context`). Three of its features are switched off on purpose:
 * - `retry: 0`: ky's retry cannot consult the pacer (a slot per attempt, a 429's penalty for
 *   every caller of the group), the caller's deadline, or the token source (a 401 needs a newer
 *   token), and it would resend a POST or a one-shot stream that may have arrived. The loop below
 *   retries, deciding with {@link decideRetry}.
 * - `timeout: false`: ky's timeout is per attempt and relative; ours is one absolute deadline
 *   that also bounds pacing, backoff and token waits, carried by one AbortSignal per exchange.
 * - `throwHttpErrors: false`: every response, error or not, first goes to the pacer (its
 *   rate-limit headers, a 429's penalty), and errors become RingCentral's error classes from its
 *   error body, not ky's HTTPError.
 * `onResponse` is called by the loop, not from ky's `afterResponse`, because ky hands that hook
 * a clone of the response, teeing every attachment download's body.
 *
 * A streamed download (`streamed`, no body, no query) uses none of what ky adds, and ky's
 * per-request option merging and `Request` construction cost about as much CPU again as the
 * fetch itself for a small body (docs/BENCHMARKS.md, archive-throughput): such a request goes
 * to fetch directly, with the same URL, headers, signal and `onRequest` hook.
 */
export function createTransport(options: TransportOptions): Transport {
  const hooks = options.hooks ?? {};
  const rateLimiter =
    options.rateLimiter ??
    new RateLimiter({
      groups: options.limits?.groups,
      safety: options.limits?.safety,
      shared: options.limits?.shared,
      onWait: (info: PacerWaitInfo) => hooks.onWait?.(info),
      now: options.now,
    });
  const pipeline: Pipeline = {
    options,
    hooks,
    rateLimiter,
    policy: backoffPolicy(options.limits?.backoff),
    defaultRetryAfterMs: options.limits?.defaultRetryAfterMs ?? 30_000,
    endpoints: endpointsOf(options.server, options.mediaServer),
    http: ky.create({
      retry: 0,
      timeout: false,
      throwHttpErrors: false,
      stringifyJson,
      parseJson: (text) => (text.trim() === '' ? undefined : parseJson(text)),
      hooks: {
        beforeRequest: [({ options: kyOptions }) => hooks.onRequest?.(infoOf(kyOptions.context))],
      },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
  };
  const send = (spec: RequestSpec, callOptions?: CallOptions) =>
    sendWithRetries(pipeline, spec, callOptions);
  return {
    rateLimiter,
    send,
    // ky's parseJson (set above) reads the body with ids kept as strings; empty is undefined.
    json: async <T>(spec: RequestSpec, callOptions?: CallOptions) =>
      (await (await send(spec, callOptions)).json()) as T,
  };
}

/** What every request of one transport shares. */
interface Pipeline {
  options: TransportOptions;
  hooks: RingCentralHooks;
  rateLimiter: RateLimiter;
  policy: BackoffPolicy;
  defaultRetryAfterMs: number;
  endpoints: Endpoints;
  http: KyInstance;
}

/** The outcome of one attempt: a 2xx response, or the failure the retry decision weighs. */
type AttemptOutcome = { ok: true; response: Response } | ({ ok: false } & FailedAttempt);

function infoOf(context: Record<string, unknown>): RequestInfo {
  return context.info as RequestInfo;
}

/** Attempts until a 2xx, or until {@link decideRetry} says the last failure stands. */
async function sendWithRetries(
  pipeline: Pipeline,
  spec: RequestSpec,
  callOptions: CallOptions | undefined,
): Promise<Response> {
  const { hooks } = pipeline;
  const url = bareUrlOf(spec, pipeline.endpoints);
  const traits = retryTraits(spec);
  const counts: RetryCounts = { retries: 0, reauthentications: 0 };
  let token: AccessToken | undefined;
  let lastError: RingCentralError | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const info: RequestInfo = { method: spec.method, url, group: spec.group, attempt };
    token = traits.bearer ? (token ?? (await currentToken(pipeline, callOptions))) : undefined;
    const outcome = await attemptOnce(pipeline, spec, info, token, callOptions, lastError);
    if (outcome.ok) return outcome.response;
    lastError = outcome.error;
    const decision = decideRetry(outcome, traits, counts, pipeline.policy);
    if (!decision.retry) throw outcome.error;
    const { reason, delayMs, backoffMs, status } = decision;
    hooks.onRetry?.({ ...info, reason, delayMs, ...(status === undefined ? {} : { status }) });
    if (reason === 'auth') {
      counts.reauthentications += 1;
      token = await newerToken(pipeline, token, outcome.error, callOptions);
      continue;
    }
    counts.retries += 1;
    token = undefined;
    if (backoffMs !== undefined) {
      hooks.onWait?.({ group: spec.group, reason: 'backoff', waitMs: backoffMs });
      await sleepWithin(backoffMs, callOptions, 'retry backoff');
    }
  }
}

function retryTraits(spec: RequestSpec): RetryTraits {
  return {
    idempotent: isIdempotentMethod(spec.method),
    replayable: spec.body?.kind !== 'raw' || spec.body.replayable,
    bearer: (spec.auth ?? 'bearer') === 'bearer',
  };
}

async function currentToken(
  pipeline: Pipeline,
  callOptions: CallOptions | undefined,
): Promise<AccessToken> {
  const source = pipeline.options.tokenSource;
  if (!source) throw new RingCentralError('No token source configured');
  return source.getToken({ signal: callOptions?.signal });
}

/**
 * The token for the retry after a 401: one newer than the rejected one (the refresher may still
 * be between killing the old token and storing the new one). Without one, the 401 stands; a
 * deadline that runs out while waiting names the 401.
 */
async function newerToken(
  pipeline: Pipeline,
  rejected: AccessToken | undefined,
  rejection: RingCentralError,
  callOptions: CallOptions | undefined,
): Promise<AccessToken> {
  const source = pipeline.options.tokenSource;
  if (!source || !rejected) throw rejection;
  const newer = await awaitNewerToken(source, rejected, callOptions).catch((error: unknown) => {
    throw deadlineAfter(error, rejection);
  });
  if (!newer) throw rejection;
  return newer;
}

/** One exchange: a pacer slot, the request built for this attempt, the response or failure. */
async function attemptOnce(
  pipeline: Pipeline,
  spec: RequestSpec,
  info: RequestInfo,
  token: AccessToken | undefined,
  callOptions: CallOptions | undefined,
  lastError: RingCentralError | undefined,
): Promise<AttemptOutcome> {
  const permit = await pipeline.rateLimiter
    .acquire(spec.group, callOptions)
    .catch((error: unknown) => {
      throw deadlineAfter(error, lastError);
    });
  let request: BuiltRequest;
  try {
    request = buildRequest(spec, pipeline.endpoints, credentialsOf(pipeline, token), info);
  } catch (error) {
    permit.cancel();
    throw error;
  }
  const started = Date.now();
  const exchange = exchangeSignal(callOptions);
  let response: Response;
  try {
    response = await exchangeOnce(pipeline, spec, request, info, exchange.signal);
  } catch (error) {
    permit.complete({});
    const end = { deadline: exchange.isDeadline(), aborted: callOptions?.signal?.aborted === true };
    const failure = errorFromFailedExchange(error, info, end);
    if (!(failure instanceof TransportError)) throw failure;
    return { ok: false, error: failure, retryAfterMs: 0 };
  }
  return settle(pipeline, permit, response, info, Date.now() - started);
}

/** Sends one attempt: through ky, or straight to fetch for a streamed download. */
function exchangeOnce(
  pipeline: Pipeline,
  spec: RequestSpec,
  request: BuiltRequest,
  info: RequestInfo,
  signal: AbortSignal | undefined,
): Promise<Response> {
  if (!spec.streamed || spec.body !== undefined || spec.query !== undefined) {
    return pipeline.http(request.input, { ...request.options, signal });
  }
  pipeline.hooks.onRequest?.(info);
  const send = pipeline.options.fetch ?? fetch;
  return send(joinedUrlOf(spec, pipeline.endpoints), {
    method: spec.method,
    headers: request.options.headers as Record<string, string>,
    ...(signal ? { signal } : {}),
  });
}

function credentialsOf(pipeline: Pipeline, token: AccessToken | undefined): Credentials {
  const { clientCredentials } = pipeline.options;
  return { ...(token ? { token } : {}), ...(clientCredentials ? { clientCredentials } : {}) };
}

/** Tells the pacer and the hooks what the response said; maps a non-2xx to our error. */
async function settle(
  pipeline: Pipeline,
  permit: Permit,
  response: Response,
  info: RequestInfo,
  durationMs: number,
): Promise<AttemptOutcome> {
  const { hooks } = pipeline;
  const { status, headers } = response;
  const rateLimit = rateLimitState(headers);
  const penaltyMs = status === 429 ? retryAfter(headers, pipeline.defaultRetryAfterMs) : undefined;
  permit.complete({ status, headers, penaltyMs });
  hooks.onResponse?.({ ...info, status, durationMs, rateLimit });
  if (response.ok) return { ok: true, response };
  const error = await errorFromHttpResponse(response, {
    method: info.method,
    url: info.url,
    rateLimit,
    retryAfterMs: penaltyMs,
  });
  if (penaltyMs !== undefined)
    hooks.onRateLimited?.({ ...info, retryAfterMs: penaltyMs, rateLimit });
  return { ok: false, error, retryAfterMs: penaltyMs ?? retryAfter(headers, 0) };
}
