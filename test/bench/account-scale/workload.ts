/**
 * The simulated account of the account-scale bench: extensions of the local RingCentral's usual
 * mix (users, fax users, departments, a few percent disabled or frozen, types without a mailbox),
 * new ones during the day, messages over the day (most with one attachment), and the sends of the
 * same RingCentral user. Seeded: the same sizes always give the same workload.
 */
import { decide } from '../../../lib/extensions/policy.ts';
import { accountMix, extensionAt } from '../../../local/ringcentral/extension-mix.ts';
import { createRandom } from '../../../local/ringcentral/seed.ts';

/** Simulated seconds in a day. */
export const DAY_SECONDS = 86_400;

/** The sizes of a run. */
export interface WorkloadSize {
  extensions: number;
  messages: number;
  sends: number;
  /** Extensions that appear during the day. */
  newExtensions: number;
}

/** One extension of the simulated account. */
export interface SimExtension {
  id: string;
  type: string;
  status: string;
  /** Simulated second it appears (0: there before the day). */
  appearsAt: number;
  /** The default policy archives it. */
  archived: boolean;
}

/** One message: its extension, creation second and attachment sizes. */
export interface SimMessage {
  id: string;
  extensionId: string;
  createdAt: number;
  attachmentBytes: number[];
}

/** The day's workload. */
export interface Workload {
  extensions: SimExtension[];
  messages: SimMessage[];
  /** Simulated seconds of the sends, ascending. */
  sends: number[];
}

/** A small deterministic generator (mulberry32): the local RingCentral's own. */
export const seeded = createRandom;

/** Busier in working hours: a message's second of the day, two thirds of them 08:00-18:00. */
function timeOfDay(random: () => number): number {
  if (random() < 2 / 3) return Math.floor((8 + random() * 10) * 3600);
  return Math.floor(random() * DAY_SECONDS);
}

/** Attachments: most messages one (a fax's PDF, a voicemail's audio, an SMS's text). */
function attachmentsOf(random: () => number): number[] {
  const draw = random();
  if (draw < 0.1) return [];
  const one = () => Math.floor(2_000 + random() * 200_000);
  return draw < 0.95 ? [one()] : [one(), one()];
}

function extensionsOf(size: WorkloadSize, random: () => number): SimExtension[] {
  const total = size.extensions + size.newExtensions;
  return accountMix(total, random).map((kind, index) => {
    const info = extensionAt(index, kind);
    const isNew = index >= size.extensions;
    return {
      id: info.id,
      type: info.type,
      status: info.status,
      // New ones appear in working hours, the last by 16:00 so each has time to be archived.
      appearsAt: isNew ? Math.floor((8 + random() * 8) * 3600) : 0,
      archived: decide({}, { id: info.id, type: info.type }).archived,
    };
  });
}

/** Builds the workload of `size`, deterministically from `seed`. */
export function buildWorkload(size: WorkloadSize, seed = 12): Workload {
  const random = seeded(seed);
  const extensions = extensionsOf(size, random);
  const mailboxes = extensions.filter((extension) => extension.archived);
  const messages: SimMessage[] = [];
  for (let index = 0; index < size.messages; index += 1) {
    const extension = mailboxes[Math.floor(random() * mailboxes.length)] as SimExtension;
    const createdAt = Math.max(extension.appearsAt + 60, timeOfDay(random));
    messages.push({
      id: String(9_000_000_000 + index),
      extensionId: extension.id,
      createdAt: Math.min(createdAt, DAY_SECONDS - 1),
      attachmentBytes: attachmentsOf(random),
    });
  }
  messages.sort((a, b) => a.createdAt - b.createdAt);
  const sends = Array.from({ length: size.sends }, () => timeOfDay(random)).sort((a, b) => a - b);
  return { extensions, messages, sends };
}
