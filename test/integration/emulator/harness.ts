/**
 * Test harness for the local RingCentral: starts it in-process on port 0, logs in, records every
 * exchange and checks them all against RingCentral's OpenAPI contract.
 */
import { afterEach, expect } from 'vitest';
import {
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from '../../../local/ringcentral/index.ts';
import { loadRingCentralContract } from '../../support/contract-deviations.ts';
import type { Contract, Exchange } from '../../support/openapi-contract.ts';

/** A started emulator with a token and the exchanges seen so far. */
export interface Harness {
  emulator: RunningEmulator;
  exchanges: Exchange[];
  /** Headers with a fresh access token of the JWT user. */
  auth: Record<string, string>;
  /** Platform URL of `/restapi/v1.0/account/~/extension/~` plus `path`. */
  ext(path: string): string;
  /** Contract problems of every exchange so far (each prefixed with method and path). */
  contractProblems(): string[];
  stop(): Promise<void>;
}

let contract: Promise<Contract> | undefined;

/** The shared contract, loaded once per test file. */
export function getContract(): Promise<Contract> {
  contract ??= loadRingCentralContract({ acceptUndeclaredErrors: true });
  return contract;
}

/** The Basic header of the emulator's client credentials. */
export function basicAuth(emulator: RunningEmulator): string {
  const { clientId, clientSecret } = emulator.credentials;
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
}

/** POSTs a form to the OAuth token endpoint. */
export function tokenRequest(
  emulator: RunningEmulator,
  form: Record<string, string>,
  authorization = basicAuth(emulator),
): Promise<Response> {
  return fetch(`${emulator.url}/restapi/oauth/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

/** Logs in with the JWT grant and returns the token response. */
export async function login(emulator: RunningEmulator): Promise<Record<string, string>> {
  const response = await tokenRequest(emulator, {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: emulator.credentials.jwt,
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
  return (await response.json()) as Record<string, string>;
}

/** Starts an emulator (rate limits off unless given) and logs in. */
export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const exchanges: Exchange[] = [];
  const loaded = await getContract();
  const emulator = await startEmulator({
    rateLimits: { enabled: false },
    ...options,
    onExchange: (exchange) => {
      exchanges.push(exchange);
      options.onExchange?.(exchange);
    },
  });
  const token = await login(emulator);
  return {
    emulator,
    exchanges,
    auth: { authorization: `Bearer ${token.access_token}` },
    ext: (path) => `${emulator.url}/restapi/v1.0/account/~/extension/~${path}`,
    contractProblems: () =>
      exchanges.flatMap((exchange) =>
        loaded
          .validateExchange(exchange)
          // A test that sends an invalid request on purpose marks it; only its response is checked.
          .filter(
            (problem) =>
              exchange.requestHeaders[INVALID_REQUEST_HEADER] === undefined ||
              !/^\S+ request/.test(problem),
          )
          .map((problem) => `${exchange.method} ${exchange.path} ${exchange.status}: ${problem}`),
      ),
    stop: () => emulator.stop(),
  };
}

/**
 * For the tests of a describe block: returns a starter of harnesses and registers an afterEach
 * that checks every exchange of the test against the contract, then stops what the test started.
 */
export function harnessPerTest(): (options?: EmulatorOptions) => Promise<Harness> {
  let started: Harness[] = [];
  afterEach(async () => {
    const current = started;
    started = [];
    try {
      // Assess (every exchange of the test against the contract)
      expect(current.flatMap((harness) => harness.contractProblems())).toEqual([]);
    } finally {
      await Promise.all(current.map((harness) => harness.stop()));
    }
  });
  return async (options) => {
    const harness = await startHarness(options);
    started.push(harness);
    return harness;
  };
}

/** Header marking a request that is invalid on purpose. */
export const INVALID_REQUEST_HEADER = 'x-test-invalid-request';

/** Headers of a request that breaks the contract on purpose (its response is still checked). */
export const INVALID_REQUEST = { [INVALID_REQUEST_HEADER]: '1' };

const ID_KEYS = new Set(['id', 'conversationId']);

/** Reads a JSON response body with int64 ids (and any unsafe integer) as exact strings. */
export async function exactJson(response: Response): Promise<unknown> {
  const text = await response.text();
  return JSON.parse(text, (key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    context?.source &&
    (ID_KEYS.has(key) || !Number.isSafeInteger(value))
      ? context.source
      : value,
  );
}
