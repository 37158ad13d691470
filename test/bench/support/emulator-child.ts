/**
 * Child process running the local RingCentral for a benchmark, so its CPU and memory stay out of
 * the measured process. Protocol: `input` (EmulatorOptions plus `largeAttachmentBytes`) ->
 * `ready` (URLs, credentials, mailbox facts); `sha256` requests -> `sha256` answers; `stop`.
 */
import type { EmulatorOptions } from '../../../local/ringcentral/index.ts';
import { startEmulator } from '../../../local/ringcentral/index.ts';
import type { ChildMessage } from './child-process.ts';
import { sendToParent } from './child-process.ts';
import type { EmulatorChildInput, EmulatorFacts } from './emulator-process.ts';

process.once('message', (raw) => {
  const message = raw as ChildMessage;
  if (message.type !== 'input') return;
  start(message.input as EmulatorChildInput).catch((error: unknown) => {
    sendToParent({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
  });
});

async function start(input: EmulatorChildInput): Promise<void> {
  const emulator = await startEmulator(input.options as EmulatorOptions);
  const mailbox = emulator.mailbox;
  const owner = mailbox.extensions[0];
  const other = mailbox.extensions[1] ?? owner;
  if (!owner || !other) throw new Error('the emulated mailbox has no extensions');

  const facts: EmulatorFacts = {
    accountId: mailbox.accountId,
    ownerExtensionId: owner.id,
    ownerSmsNumber: owner.smsNumbers[0] ?? '',
    otherExtensionId: other.id,
    otherSmsNumber: other.smsNumbers[0] ?? owner.smsNumbers[0] ?? '',
    messageIds: mailbox
      .messages(owner.id)
      .filter((stored) => stored.availability === 'Alive')
      .map((stored) => stored.id),
  };
  if (input.largeAttachmentBytes !== undefined) {
    for (const stored of mailbox.messages(owner.id)) {
      const attachment = stored.attachments.find(
        (entry) => entry.size === input.largeAttachmentBytes,
      );
      if (attachment) {
        facts.largeAttachment = {
          messageId: stored.id,
          attachmentId: attachment.id,
          uri: attachment.uri,
          size: attachment.size ?? 0,
          contentType: attachment.contentType ?? '',
        };
        break;
      }
    }
  }

  process.on('message', (raw) => {
    const message = raw as ChildMessage;
    if (message.type === 'stop') {
      void emulator.stop().finally(() => process.exit(0));
    } else if (message.type === 'sha256') {
      const attachmentId = String(message.attachmentId);
      mailbox
        .attachmentSha256(attachmentId)
        .then((sha256) => sendToParent({ type: 'sha256', attachmentId, sha256 }))
        .catch((error: unknown) => sendToParent({ type: 'error', message: String(error) }));
    }
  });
  // The parent going away must not leave an emulator holding ports.
  process.on('disconnect', () => {
    void emulator.stop().finally(() => process.exit(0));
  });

  sendToParent({
    type: 'ready',
    url: emulator.url,
    mediaUrl: emulator.mediaUrl,
    credentials: { ...emulator.credentials },
    facts,
  });
}
