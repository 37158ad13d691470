/**
 * The services of the archive benchmarks: the local RingCentral in its own process (rate limits
 * scaled off: not enforced, and an ample budget advertised in its headers), s3rver and dynalite
 * in the bench process, a bucket and a state table per scenario.
 *
 * s3rver keeps its objects in memory-backed /dev/shm where the machine has room there. It stores each
 * object as files (content, metadata, directories), and on disk those file operations cost it
 * about 4 ms of CPU per object, on the same two cores as the code being measured; real S3 costs
 * the client nothing of the kind. Both sides of every comparison use the same s3rver.
 */
import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { type LocalS3, startS3rver } from '../../support/s3rver.ts';
import {
  type EmulatorChildInput,
  type EmulatorProcess,
  startEmulatorProcess,
} from '../support/emulator-process.ts';
import { type ArchiveTargets, UNLIMITED_EMULATOR_GROUPS } from './targets.ts';

const SHARED_MEMORY = '/dev/shm';
/** Room the largest scenario needs there: three copies of 225 MB a round, three rounds. */
const SHARED_MEMORY_NEEDED_BYTES = 4 * 2 ** 30;

function memoryBacked(): boolean {
  try {
    const { bavail, bsize } = statfsSync(SHARED_MEMORY);
    return bavail * bsize >= SHARED_MEMORY_NEEDED_BYTES;
  } catch {
    return false;
  }
}

/** The mailbox to generate (the emulator's MailboxSeed). */
export interface BenchMailbox {
  seed?: number;
  extensions?: number;
  messagesPerExtension: number;
  maxAttachmentBytes?: number;
  fixedAttachmentBytes?: number[];
  startDate?: string;
}

/** Running services and a way to get fresh targets. */
export interface ArchiveServices {
  emulator: EmulatorProcess;
  s3: LocalS3;
  dynamo: LocalDynamo;
  /** A new bucket and a new state table (no cursor yet). */
  freshTargets(label: string): Promise<ArchiveTargets>;
  stop(): Promise<void>;
}

/** Starts the emulator process with `mailbox`, s3rver and dynalite. */
export async function startArchiveServices(
  mailbox: BenchMailbox,
  largeAttachmentBytes?: number,
): Promise<ArchiveServices> {
  const options = {
    mailbox: { ...mailbox },
    rateLimits: { enabled: false, groups: UNLIMITED_EMULATOR_GROUPS },
  };
  const input: EmulatorChildInput = {
    options,
    ...(largeAttachmentBytes === undefined ? {} : { largeAttachmentBytes }),
  };
  const [emulator, s3, dynamo] = await Promise.all([
    startEmulatorProcess(input),
    startS3rver(memoryBacked() ? { parentDirectory: SHARED_MEMORY } : {}),
    startDynalite(),
  ]);
  return {
    emulator,
    s3,
    dynamo,
    async freshTargets(label) {
      const bucket = `${label}-${randomUUID().slice(0, 8)}`;
      await s3.createBucket(bucket);
      return {
        server: emulator.url,
        mediaServer: emulator.mediaUrl,
        credentials: emulator.credentials,
        s3Endpoint: s3.endpoint,
        bucket,
        dynamoEndpoint: dynamo.endpoint,
        tableName: await dynamo.createStateTable(),
      };
    },
    stop: async () => {
      await Promise.allSettled([emulator.stop(), s3.stop(), dynamo.stop()]);
    },
  };
}

/** The FSync start date far enough back to include every generated message. */
export function benchStartDate(days: number): string {
  return new Date(Date.now() - (days + 1) * 86_400_000).toISOString();
}
