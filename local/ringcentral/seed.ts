/**
 * Mailbox contents: the small realistic default mailbox and a seeded generator of larger ones.
 * Everything is drawn from a small PRNG so the same seed gives the same mailbox.
 */
import { accountMix, extensionAt } from './extension-mix.ts';
import { type ExtensionStatus, messageTypesOf } from './extension-types.ts';
import { type ExtensionInfo, Mailbox, type MessageDraft } from './mailbox.ts';

/** Options of a generated mailbox (see `EmulatorOptions.mailbox`). */
export interface MailboxSeed {
  /** PRNG seed, deterministic output. */
  seed?: number;
  /**
   * Extensions of the account, default 2. The first two are enabled users; from the third on
   * the account is the realistic mix of `extension-mix.ts` (fax users, departments, disabled
   * and frozen users, IVR menus, ...) unless `mix` is 'users'.
   */
  extensions?: number;
  /** 'realistic' (default) or 'users': every extension an enabled user. */
  mix?: 'realistic' | 'users';
  /**
   * Messages of each extension that has a mailbox, default 50, of the types its kind receives
   * (a fax user only faxes, a department SMS and voicemail); users not yet activated have none.
   */
  messagesPerExtension?: number;
  /** MMS = SMS with attachments. Default all four. */
  types?: Array<'SMS' | 'Fax' | 'VoiceMail' | 'Pager'>;
  /** Attachment sizes drawn up to this; default 256 KiB. */
  maxAttachmentBytes?: number;
  /** Extra fax messages (first extension) with exactly these attachment sizes. */
  fixedAttachmentBytes?: number[];
  /** ISO; messages spread from here to now. Default 30 days ago. */
  startDate?: string;
}

/** The account id of every emulated mailbox. */
export const EMULATOR_ACCOUNT_ID = '400131880008';

const DAY_MS = 86_400_000;

/** mulberry32: a tiny deterministic PRNG returning floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The extensions of a mailbox with `count` enabled users: ids 101001, 101002, ... */
export function createExtensions(count: number): ExtensionInfo[] {
  return Array.from({ length: count }, (_, index) => extensionAt(index));
}

/** Statuses whose mailbox has received messages: a user never activated has an empty one. */
const MESSAGING_STATUSES: ReadonlySet<ExtensionStatus> = new Set(['Enabled', 'Disabled', 'Frozen']);

/** Salt of the PRNG that draws the account's mix, apart from the one that draws messages. */
const MIX_SALT = 0x5eed_e7;

/** The extensions of a seeded account: `count` of them, the realistic mix unless 'users'. */
export function createAccountExtensions(
  count: number,
  seed: number,
  mix: 'realistic' | 'users' = 'realistic',
): ExtensionInfo[] {
  if (mix === 'users') return createExtensions(count);
  const random = createRandom(seed ^ MIX_SALT);
  return accountMix(count, random).map((kind, index) => extensionAt(index, kind));
}

/** Builds a mailbox filled per the option: 'default' or a seed description. */
export function buildMailbox(
  option: 'default' | MailboxSeed,
  urls: { platformUrl: () => string; mediaUrl: () => string },
): Mailbox {
  if (option === 'default') {
    const mailbox = new Mailbox({
      accountId: EMULATOR_ACCOUNT_ID,
      extensions: createExtensions(2),
      seed: 1,
      ...urls,
    });
    fillDefault(mailbox, Date.now());
    return mailbox;
  }
  const seed = option.seed ?? 1;
  const mailbox = new Mailbox({
    accountId: EMULATOR_ACCOUNT_ID,
    extensions: createAccountExtensions(option.extensions ?? 2, seed, option.mix),
    seed,
    ...urls,
  });
  fillGenerated(mailbox, option, seed);
  return mailbox;
}

function fillDefault(mailbox: Mailbox, now: number): void {
  const [alice, bob] = mailbox.extensions;
  if (!alice || !bob) return;
  const at = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
  const customer = '+14155550199';
  const aliceNumber = alice.smsNumbers[0] ?? '';
  const party = (extension: ExtensionInfo) => ({
    extensionNumber: extension.extensionNumber,
    extensionId: extension.id,
    name: extension.name,
  });
  const drafts: Array<[string, MessageDraft]> = [
    [
      alice.id,
      {
        type: 'SMS',
        direction: 'Inbound',
        from: { phoneNumber: customer },
        to: [{ phoneNumber: aliceNumber, name: alice.name }],
        subject: 'Hi, is my order ready for pickup?',
        readStatus: 'Read',
        creationTime: at(50),
      },
    ],
    [
      alice.id,
      {
        type: 'SMS',
        direction: 'Outbound',
        from: { phoneNumber: aliceNumber, name: alice.name },
        to: [{ phoneNumber: customer, messageStatus: 'Delivered' }],
        subject: 'Yes, it is ready. We are open until 6 pm.',
        messageStatus: 'Delivered',
        creationTime: at(49),
      },
    ],
    [
      alice.id,
      {
        type: 'SMS',
        direction: 'Inbound',
        from: { phoneNumber: customer },
        to: [{ phoneNumber: aliceNumber, name: alice.name }],
        subject: 'Here is a photo of the receipt',
        attachments: [
          {
            type: 'MmsAttachment',
            contentType: 'image/jpeg',
            size: 48_213,
            fileName: 'receipt.jpg',
          },
        ],
        creationTime: at(6),
      },
    ],
    [
      alice.id,
      {
        type: 'Fax',
        direction: 'Inbound',
        from: { phoneNumber: '+14155550123', name: 'Acme Supplies' },
        to: [{ phoneNumber: alice.faxNumber, name: alice.name }],
        faxPageCount: 3,
        attachments: [
          {
            type: 'RenderedDocument',
            contentType: 'application/pdf',
            size: 182_447,
            fileName: 'invoice.pdf',
          },
        ],
        readStatus: 'Read',
        creationTime: at(30),
      },
    ],
    [
      alice.id,
      {
        type: 'Fax',
        direction: 'Inbound',
        from: { phoneNumber: '+14155550124' },
        to: [{ phoneNumber: alice.faxNumber, name: alice.name }],
        faxPageCount: 1,
        faxResolution: 'Low',
        attachments: [
          {
            type: 'RenderedDocument',
            contentType: 'image/tiff',
            size: 96_001,
            fileName: 'scan.tif',
          },
        ],
        creationTime: at(3),
      },
    ],
    [
      alice.id,
      {
        type: 'VoiceMail',
        direction: 'Inbound',
        from: { phoneNumber: customer },
        to: [{ phoneNumber: aliceNumber, name: alice.name }],
        subject: 'Voice message from (415) 555-0199',
        vmTranscriptionStatus: 'Completed',
        attachments: [
          { type: 'AudioRecording', contentType: 'audio/mpeg', size: 241_664, vmDuration: 15 },
          {
            type: 'AudioTranscription',
            contentType: 'text/plain',
            text: 'Hi, this is about my order, please call me back.',
          },
        ],
        creationTime: at(2),
      },
    ],
    [
      alice.id,
      {
        type: 'Pager',
        direction: 'Inbound',
        from: party(bob),
        to: [party(alice)],
        subject: 'Can you cover the front desk at 3?',
        creationTime: at(1),
      },
    ],
    [
      bob.id,
      {
        type: 'Pager',
        direction: 'Outbound',
        from: party(bob),
        to: [party(alice)],
        subject: 'Can you cover the front desk at 3?',
        creationTime: at(1),
      },
    ],
    [
      bob.id,
      {
        type: 'SMS',
        direction: 'Inbound',
        from: { phoneNumber: '+12125550142' },
        to: [{ phoneNumber: bob.smsNumbers[0] ?? '', name: bob.name }],
        subject: 'Your appointment is confirmed for Tuesday 10:00.',
        creationTime: at(20),
      },
    ],
    [
      bob.id,
      {
        type: 'Fax',
        direction: 'Outbound',
        from: { phoneNumber: bob.faxNumber, name: bob.name },
        to: [{ phoneNumber: '+12125550100', messageStatus: 'Sent' }],
        faxPageCount: 2,
        coverIndex: 0,
        attachments: [
          {
            type: 'RenderedDocument',
            contentType: 'application/pdf',
            size: 120_320,
            fileName: 'contract.pdf',
          },
        ],
        creationTime: at(10),
      },
    ],
  ];
  for (const [extensionId, draft] of drafts) mailbox.add(extensionId, draft);
}

function fillGenerated(mailbox: Mailbox, option: MailboxSeed, seed: number): void {
  const random = createRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const types = option.types ?? ['SMS', 'Fax', 'VoiceMail', 'Pager'];
  const perExtension = option.messagesPerExtension ?? 50;
  const maxBytes = option.maxAttachmentBytes ?? 256 * 1024;
  const now = Date.now();
  const start = option.startDate ? Date.parse(option.startDate) : now - 30 * DAY_MS;
  const size = (cap: number) => Math.max(1, Math.floor(random() * Math.min(cap, maxBytes)));
  const texts = [
    'Running 10 minutes late',
    'Please confirm the delivery window',
    'Thanks, received!',
    'Can we move the meeting to Friday?',
    'Your verification code is 482913',
    'Invoice attached, due in 30 days 💶',
  ];
  // Pager messages go between users; with one or two extensions that is every extension.
  const colleagues = mailbox.extensions.filter((extension) => extension.type === 'User');
  for (const extension of mailbox.extensions) {
    const received = types.filter((type) => messageTypesOf(extension.type).includes(type));
    if (received.length === 0 || !MESSAGING_STATUSES.has(extension.status)) continue;
    const own = extension.smsNumbers[0] ?? extension.faxNumber;
    for (let index = 0; index < perExtension; index++) {
      const type = pick(received);
      const inbound = type === 'VoiceMail' || random() < 0.6;
      // A small circle of contacts, so conversations have several messages.
      const peer = `+1415555${String(100 + Math.floor(random() * 12)).padStart(4, '0')}`;
      const creationTime = new Date(start + random() * (now - start)).toISOString();
      const readStatus = !inbound || random() < 0.5 ? 'Read' : 'Unread';
      const me = { phoneNumber: own, name: extension.name };
      const them = { phoneNumber: peer };
      const base: Pick<MessageDraft, 'direction' | 'readStatus' | 'creationTime' | 'from' | 'to'> =
        {
          direction: inbound ? 'Inbound' : 'Outbound',
          readStatus,
          creationTime,
          from: inbound ? them : me,
          to: [inbound ? me : them],
        };
      if (type === 'SMS') {
        const mms = random() < 0.2;
        mailbox.add(extension.id, {
          ...base,
          type,
          subject: pick(texts),
          attachments: mms
            ? [
                {
                  type: 'MmsAttachment',
                  contentType: 'image/jpeg',
                  size: size(1_500_000),
                  fileName: 'photo.jpg',
                },
              ]
            : [],
        });
      } else if (type === 'Fax') {
        const tiff = random() < 0.4;
        mailbox.add(extension.id, {
          ...base,
          type,
          from: inbound ? them : { phoneNumber: extension.faxNumber, name: extension.name },
          faxPageCount: 1 + Math.floor(random() * 12),
          faxResolution: random() < 0.5 ? 'High' : 'Low',
          attachments: [
            {
              type: 'RenderedDocument',
              contentType: tiff ? 'image/tiff' : 'application/pdf',
              size: size(maxBytes),
              fileName: tiff ? 'fax.tif' : 'fax.pdf',
            },
          ],
        });
      } else if (type === 'VoiceMail') {
        const seconds = 3 + Math.floor(random() * 120);
        mailbox.add(extension.id, {
          ...base,
          type,
          subject: `Voice message from ${peer}`,
          attachments: [
            {
              type: 'AudioRecording',
              contentType: 'audio/mpeg',
              size: size(maxBytes),
              vmDuration: seconds,
            },
          ],
        });
      } else {
        const other = pick(colleagues);
        const self = {
          extensionNumber: extension.extensionNumber,
          extensionId: extension.id,
          name: extension.name,
        };
        const peerExtension = {
          extensionNumber: other.extensionNumber,
          extensionId: other.id,
          name: other.name,
        };
        mailbox.add(extension.id, {
          ...base,
          type: 'Pager',
          from: inbound ? peerExtension : self,
          to: [inbound ? self : peerExtension],
          subject: pick(texts),
        });
      }
    }
  }
  const first = mailbox.extensions[0];
  if (!first) return;
  for (const [index, bytes] of (option.fixedAttachmentBytes ?? []).entries()) {
    mailbox.add(first.id, {
      type: 'Fax',
      direction: 'Inbound',
      from: { phoneNumber: '+14155550177' },
      to: [{ phoneNumber: first.faxNumber, name: first.name }],
      faxPageCount: 200,
      creationTime: new Date(now - (index + 1) * 60_000).toISOString(),
      attachments: [
        {
          type: 'RenderedDocument',
          contentType: 'application/pdf',
          size: bytes,
          fileName: `large-${index}.pdf`,
        },
      ],
    });
  }
}
