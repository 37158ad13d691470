import { type ChildHandle, type ChildMessage, startChild } from './child-process.ts';

/** Options passed to the emulator child; a JSON-safe subset of `EmulatorOptions`. */
export interface EmulatorChildInput {
  options: {
    mailbox?: 'default' | Record<string, unknown>;
    rateLimits?: { enabled?: boolean; windowScale?: number; penaltySeconds?: number };
    faults?: Record<string, unknown>;
    maxSessions?: number;
    accessTokenTtlSeconds?: number;
  };
  /** When set, the child looks up the owner's attachment of exactly this size. */
  largeAttachmentBytes?: number;
}

/** What the benchmark needs to know about the started mailbox. */
export interface EmulatorFacts {
  accountId: string;
  /** The JWT user's extension (what `~` means). */
  ownerExtensionId: string;
  ownerSmsNumber: string;
  otherExtensionId: string;
  otherSmsNumber: string;
  /** Alive message ids of the owner's mailbox. */
  messageIds: string[];
  largeAttachment?: {
    messageId: string;
    attachmentId: string;
    uri: string;
    size: number;
    contentType: string;
  };
}

/** Credentials the emulator accepts. */
export interface BenchCredentials {
  clientId: string;
  clientSecret: string;
  jwt: string;
}

/** The emulator's server-side counters (`GET /__emulator/stats`). */
export interface EmulatorStatsSnapshot {
  requestsByGroup: Record<string, number>;
  tooManyRequestsByGroup: Record<string, number>;
  oauthRequests: { jwt: number; refresh: number; revoke: number };
  requests: number;
  [key: string]: unknown;
}

/** A local RingCentral running in its own child process. */
export interface EmulatorProcess {
  url: string;
  mediaUrl: string;
  credentials: BenchCredentials;
  facts: EmulatorFacts;
  pid: number;
  stats(): Promise<EmulatorStatsSnapshot>;
  resetStats(): Promise<void>;
  setFaults(faults: Record<string, unknown>): Promise<void>;
  /** sha256 of an attachment computed by the emulator from its generator (independent of the client). */
  attachmentSha256(attachmentId: string): Promise<string>;
  stop(): Promise<void>;
}

interface ReadyMessage extends ChildMessage {
  url: string;
  mediaUrl: string;
  credentials: BenchCredentials;
  facts: EmulatorFacts;
}

/** Starts the local RingCentral in a child process and waits until it listens. */
export async function startEmulatorProcess(input: EmulatorChildInput): Promise<EmulatorProcess> {
  const child: ChildHandle = startChild(
    new URL('./emulator-child.ts', import.meta.url),
    input,
    'emulator',
  );
  let ready: ReadyMessage;
  try {
    ready = await child.next<ReadyMessage>('ready', 120_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  const inspect = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${ready.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
    return response;
  };
  return {
    url: ready.url,
    mediaUrl: ready.mediaUrl,
    credentials: ready.credentials,
    facts: ready.facts,
    pid: child.pid,
    stats: async () =>
      (await (await inspect('GET', '/__emulator/stats')).json()) as EmulatorStatsSnapshot,
    resetStats: async () => {
      await (await inspect('POST', '/__emulator/reset-stats')).arrayBuffer();
    },
    setFaults: async (faults) => {
      await (await inspect('POST', '/__emulator/faults', faults)).arrayBuffer();
    },
    attachmentSha256: async (attachmentId) => {
      child.send({ type: 'sha256', attachmentId });
      const answer = await child.next<ChildMessage & { sha256: string }>('sha256', 120_000);
      return answer.sha256;
    },
    stop: () => child.stop(),
  };
}
