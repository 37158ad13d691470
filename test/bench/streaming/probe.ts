/**
 * `npx tsx test/bench/streaming/probe.ts [variant ...]`: compares download paths (the client,
 * plain fetch, node:http) and V8 settings for the streaming benchmark, printing one line per run.
 * `PROBE_NODE_OPTIONS` lists settings separated by `|` (an empty entry is the default).
 */
import { startChild } from '../support/child-process.ts';
import { startEmulatorProcess } from '../support/emulator-process.ts';
import type { ProbeInput, ProbeResult, ProbeVariant } from './probe-reader.ts';

const MiB = 2 ** 20;
const attachmentBytes = Number(process.env.BENCH_ATTACHMENT_MIB ?? 500) * MiB;
const variants = (
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['client', 'fetch', 'http']
) as ProbeVariant[];
const settings = (process.env.PROBE_NODE_OPTIONS ?? '').split('|');
const repeats = Number(process.env.PROBE_REPEATS ?? 1);
const throttle = process.env.PROBE_THROTTLE_MS
  ? { throttleMs: Number(process.env.PROBE_THROTTLE_MS), throttleEveryBytes: 8 * MiB }
  : {};

const emulator = await startEmulatorProcess({
  options: {
    mailbox: {
      seed: 7,
      extensions: 2,
      messagesPerExtension: 5,
      fixedAttachmentBytes: [attachmentBytes],
    },
    rateLimits: { windowScale: 0.05 },
  },
  largeAttachmentBytes: attachmentBytes,
});
const mib = (bytes: number) => (bytes / MiB).toFixed(1).padStart(6);
try {
  const attachment = emulator.facts.largeAttachment;
  if (!attachment) throw new Error('no large attachment');
  const outer = process.env.NODE_OPTIONS;
  for (const setting of settings) {
    for (let round = 0; round < repeats; round += 1) {
      for (const variant of variants) {
        process.env.NODE_OPTIONS = [outer, setting].filter(Boolean).join(' ');
        const input: ProbeInput = {
          server: emulator.url,
          mediaServer: emulator.mediaUrl,
          credentials: emulator.credentials,
          windowScale: 0.05,
          messageId: attachment.messageId,
          attachmentId: attachment.attachmentId,
          variant,
          ...throttle,
        };
        const child = startChild(new URL('./probe-reader.ts', import.meta.url), input, variant);
        process.env.NODE_OPTIONS = outer ?? '';
        try {
          const { result: r } = await child.next<{ type: string; result: ProbeResult }>('result');
          process.stdout.write(
            `${variant.padEnd(15)} ${(setting || 'default').padEnd(28)} growth ${mib(r.rssPeak - r.rssBaseline)} MiB  base ${mib(r.rssBaseline)}  ext ${mib(r.externalPeak)}  ab ${mib(r.arrayBuffersPeak)}  heap ${mib(r.heapUsedPeak)}  gc ${String(r.scavenges).padStart(4)}s/${String(r.markCompacts).padStart(3)}m  chunks ${r.chunks}  ${(r.bytes / MiB / (r.durationMs / 1000)).toFixed(0)} MiB/s  ok=${r.bytes === attachment.size}\n`,
          );
        } finally {
          await child.stop();
        }
      }
    }
  }
} finally {
  await emulator.stop();
}
