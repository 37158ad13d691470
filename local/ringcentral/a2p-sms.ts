/**
 * The emulator's high-volume (A2P) SMS: batches, their per-recipient messages and the opt-out
 * list. A batch is `Processing` when created; after `stepMs` every message is processed (Delivered,
 * or SendingFailed for a recipient opted out from the sender) and the batch is `Completed`.
 */

/** `MessageBatchResponse.status` values the emulator uses (the spec's enum has no `Queued`). */
export type A2pBatchStatus = 'Processing' | 'Completed';
/** `SmsStatusEnum` values the emulator uses. */
export type A2pMessageStatus = 'Queued' | 'Delivered' | 'SendingFailed';

/**
 * The error code of a message to a number opted out from its sender. RingCentral documents that
 * it "will prevent sending to numbers that have opted out" (developer guide, High Volume SMS,
 * opt-out), not the code it records: this one is the emulator's choice, of RingCentral's own
 * `SMS-RC-` family.
 */
export const OPTED_OUT_ERROR_CODE = 'SMS-RC-403';

/** One recipient RingCentral refused when it took the batch (`RejectedRecipientResponseResource`). */
export interface A2pRejected {
  index: number;
  to: string[];
  errorCode: string;
  description: string;
}

/** One recipient's message of a batch. */
export interface A2pMessageRecord {
  id: string;
  batchId: string;
  from: string;
  to: string;
  text: string;
  status: A2pMessageStatus;
  errorCode?: string;
  creationTime: string;
  lastModifiedTime: string;
}

/** A batch as the emulator keeps it. */
export interface A2pBatchRecord {
  id: string;
  from: string;
  /** The extension whose token created it. */
  ownerExtensionId: string;
  status: A2pBatchStatus;
  messageIds: string[];
  processedCount: number;
  rejected: A2pRejected[];
  creationTime: string;
  lastModifiedTime: string;
}

/** One entry of the opt-out list. */
export interface A2pOptOutRecord {
  from: string;
  to: string;
  status: 'OptOut' | 'OptIn';
}

/** Options of {@link A2pSms}. */
export interface A2pSmsOptions {
  /** Time from a batch's creation to its completion, default 300 ms. */
  stepMs?: number;
  /** The clock (epoch ms) ids and times come from; default `Date.now`. */
  now?: () => number;
}

/** Batches, messages and opt-outs of the emulated account. */
export class A2pSms {
  private readonly batches = new Map<string, A2pBatchRecord>();
  private readonly messages = new Map<string, A2pMessageRecord>();
  private readonly optOuts = new Map<string, A2pOptOutRecord>();
  private readonly stepMs: number;
  private readonly now: () => number;
  private nextId: bigint;

  constructor(options: A2pSmsOptions = {}) {
    this.stepMs = options.stepMs ?? 300;
    this.now = options.now ?? Date.now;
    // Numbered from the start time like the mailbox's ids, so a restart never reuses one.
    this.nextId = BigInt(Math.max(0, Math.floor(this.now()))) * 10n;
  }

  /** Records that `to` replied STOP to `from`: no message from `from` reaches it any more. */
  optOut(from: string, to: string): void {
    this.optOuts.set(`${from}|${to}`, { from, to, status: 'OptOut' });
  }

  /** Records that `to` replied START to `from` again. */
  optIn(from: string, to: string): void {
    this.optOuts.set(`${from}|${to}`, { from, to, status: 'OptIn' });
  }

  /** Whether `to` has opted out from `from`. */
  isOptedOut(from: string, to: string): boolean {
    return this.optOuts.get(`${from}|${to}`)?.status === 'OptOut';
  }

  /** The opt-out list, in the order the entries were made. */
  optOutList(): A2pOptOutRecord[] {
    return [...this.optOuts.values()];
  }

  /** Creates a batch of accepted messages and schedules its processing. */
  create(init: {
    from: string;
    ownerExtensionId: string;
    messages: Array<{ to: string; text: string }>;
    rejected: A2pRejected[];
  }): A2pBatchRecord {
    const time = new Date(this.now()).toISOString();
    const batch: A2pBatchRecord = {
      id: this.newId(),
      from: init.from,
      ownerExtensionId: init.ownerExtensionId,
      status: init.messages.length === 0 ? 'Completed' : 'Processing',
      messageIds: [],
      processedCount: 0,
      rejected: init.rejected,
      creationTime: time,
      lastModifiedTime: time,
    };
    for (const message of init.messages) {
      const record: A2pMessageRecord = {
        id: this.newId(),
        batchId: batch.id,
        from: init.from,
        to: message.to,
        text: message.text,
        status: 'Queued',
        creationTime: time,
        lastModifiedTime: time,
      };
      this.messages.set(record.id, record);
      batch.messageIds.push(record.id);
    }
    this.batches.set(batch.id, batch);
    if (batch.status === 'Processing') {
      setTimeout(() => this.process(batch), this.stepMs).unref();
    }
    return batch;
  }

  /** A batch by id. */
  batch(id: string): A2pBatchRecord | undefined {
    return this.batches.get(id);
  }

  /** Every message, or those of one batch, in creation order. */
  messagesOf(batchId?: string): A2pMessageRecord[] {
    if (batchId === undefined) return [...this.messages.values()];
    const batch = this.batches.get(batchId);
    if (!batch) return [];
    return batch.messageIds.flatMap((id) => this.messages.get(id) ?? []);
  }

  /** Sends every queued message of the batch: opted-out recipients fail, the others are delivered. */
  private process(batch: A2pBatchRecord): void {
    const time = new Date(this.now()).toISOString();
    for (const message of this.messagesOf(batch.id)) {
      if (message.status !== 'Queued') continue;
      if (this.isOptedOut(message.from, message.to)) {
        message.status = 'SendingFailed';
        message.errorCode = OPTED_OUT_ERROR_CODE;
      } else {
        message.status = 'Delivered';
      }
      message.lastModifiedTime = time;
    }
    batch.processedCount = batch.messageIds.length;
    batch.status = 'Completed';
    batch.lastModifiedTime = time;
  }

  private newId(): string {
    this.nextId += 1n;
    return String(this.nextId);
  }
}
