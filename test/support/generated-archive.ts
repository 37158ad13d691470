/**
 * A generated archive for search tests and benches: deterministic messages (seeded), written
 * straight into s3rver's directory as s3rver stores objects (`<key>._S3rver_object`), so ten
 * thousand messages take seconds instead of ten thousand PUTs. `generatedMessages` yields the
 * same messages again for a brute-force comparison, one at a time (memory stays flat).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { attachmentKey, messageKey } from '../../lib/archive/layout.ts';
import {
  type ArchiveManifest,
  buildManifest,
  serializeManifest,
} from '../../lib/archive/manifest.ts';
import type { MessageRecord } from '../../lib/ringcentral/types.ts';
import { createRandom } from '../../local/ringcentral/seed.ts';

/** The account of every generated message. */
export const GENERATED_ACCOUNT = '400100';
/** Its extensions. */
export const GENERATED_EXTENSIONS = ['5001', '5002', '5003'] as const;
/** A number many generated messages have as a party, written as users write it. */
export const FREQUENT_PARTY = '+1 (650) 555-0100';

const TYPES = ['SMS', 'Fax', 'VoiceMail', 'Pager'] as const;
const WORDS = ['invoice', 'meeting', 'contract', 'urgent', 'lunch', 'report', 'trade', 'hello'];
const START = Date.parse('2026-01-01T00:00:00.000Z');
const SPAN_MS = 180 * 86_400_000;

/** One generated message: its message.json key and text, and its attachments' keys and bytes. */
export interface GeneratedMessage {
  key: string;
  manifest: ArchiveManifest;
  text: string;
  attachments: Array<{ key: string; bytes: Buffer }>;
}

function phone(next: () => number): string {
  const number = `650555${String(100 + Math.floor(next() * 40)).padStart(4, '0')}`;
  return number === '6505550100' ? FREQUENT_PARTY : `+1${number}`;
}

/** The messages of `seed`, in a fixed order, one at a time. */
export function* generatedMessages(count: number, seed = 14): Generator<GeneratedMessage> {
  const next = createRandom(seed);
  for (let index = 0; index < count; index += 1) {
    const extensionId = GENERATED_EXTENSIONS[index % GENERATED_EXTENSIONS.length] as string;
    const id = String(700_000_000 + index);
    const type = TYPES[Math.floor(next() * TYPES.length)] as string;
    const inbound = next() < 0.5;
    const own = {
      phoneNumber: `+1650555${extensionId.slice(1)}`,
      extensionNumber: extensionId.slice(1),
    };
    const other = next() < 0.15 ? { phoneNumber: FREQUENT_PARTY } : { phoneNumber: phone(next) };
    const withAttachment = next() < 0.2;
    const record: MessageRecord = {
      id,
      uri: `https://platform.ringcentral.com/restapi/v1.0/account/${GENERATED_ACCOUNT}/extension/${extensionId}/message-store/${id}`,
      extensionId,
      creationTime: new Date(START + Math.floor(next() * SPAN_MS)).toISOString(),
      type: type as MessageRecord['type'],
      direction: inbound ? 'Inbound' : 'Outbound',
      from: inbound ? other : own,
      to: [inbound ? own : other],
      subject: `${WORDS[Math.floor(next() * WORDS.length)]} ${WORDS[Math.floor(next() * WORDS.length)]} #${index}`,
      availability: 'Alive',
      ...(withAttachment
        ? { attachments: [{ id: `9${id}`, contentType: 'application/pdf' }] }
        : {}),
    };
    const attachments = (record.attachments ?? []).map((attachment) => ({
      key: attachmentKey(record, attachment),
      bytes: Buffer.from(`%PDF generated attachment of message ${id} ${'x'.repeat(index % 64)}`),
    }));
    const manifest = buildManifest({
      record,
      attachments: attachments.map(({ key, bytes }) => ({
        id: `9${id}`,
        key,
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        contentType: 'application/pdf',
      })),
    });
    yield { key: messageKey(record), manifest, text: serializeManifest(manifest), attachments };
  }
}

/** Where s3rver keeps `key` of `bucket` under its directory. */
function objectPath(bucketDirectory: string, key: string): string {
  return join(bucketDirectory, `${key}._S3rver_object`);
}

/** The s3rver directory `startS3rver({ parentDirectory })` created under `parent`. */
export async function s3rverDirectory(parent: string): Promise<string> {
  const [only] = (await readdir(parent)).filter((name) => name.startsWith('s3rver-'));
  if (!only) throw new Error(`no s3rver directory under ${parent}`);
  return join(parent, only);
}

/** Writes `count` generated messages into an existing bucket's directory; returns the count written. */
export async function writeGeneratedArchive(
  bucketDirectory: string,
  count: number,
  seed = 14,
): Promise<number> {
  const made = new Set<string>();
  const write = async (key: string, body: string | Buffer) => {
    const path = objectPath(bucketDirectory, key);
    const directory = dirname(path);
    if (!made.has(directory)) {
      await mkdir(directory, { recursive: true });
      made.add(directory);
    }
    await writeFile(path, body);
  };
  let written = 0;
  for (const message of generatedMessages(count, seed)) {
    for (const attachment of message.attachments) await write(attachment.key, attachment.bytes);
    await write(message.key, message.text);
    written += 1;
    if (made.size > 10_000) made.clear();
  }
  return written;
}
