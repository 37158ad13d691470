/**
 * Child process: reads one attachment through the project's client and measures its own memory
 * while doing so. Only this process is measured, so the emulator's buffers do not count.
 */
import { createHash } from 'node:crypto';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { runAsChild } from '../support/child-process.ts';
import type { BenchCredentials } from '../support/emulator-process.ts';
import { createBenchRingCentral } from '../support/paced-client.ts';
import { type RssReport, startRssSampler } from '../support/rss-sampler.ts';

/** What the parent sends. */
export interface ReaderInput {
  server: string;
  mediaServer: string;
  credentials: BenchCredentials;
  windowScale: number;
  messageId: string;
  attachmentId: string;
  /** Once this many bytes have arrived, POST `{}` to /__emulator/faults: one drop, then clean resumes. */
  clearFaultsAfterBytes?: number;
  /** Collect garbage before every RSS sample: measures what the client holds, not GC lag. */
  collectGarbage?: boolean;
}

/** What the reader reports. */
export interface ReaderResult {
  bytes: number;
  sha256: string;
  durationMs: number;
  resumes: number;
  rss: RssReport;
  /** Garbage collections during the read: scavenges free young chunks, mark-compacts all. */
  collections: { minor: number; major: number };
  /** NODE_OPTIONS this reader ran with. */
  nodeOptions: string;
}

/** Counts this process's garbage collections by kind until `stop()`. */
function countCollections(): { stop(): { minor: number; major: number } } {
  const counts = { minor: 0, major: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major += 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      observer.disconnect();
      return counts;
    },
  };
}

runAsChild<ReaderInput, ReaderResult>(async (input) => {
  const { rc, tokenSource } = createBenchRingCentral(input);
  // Log in and warm the client up before the baseline, so only the download is measured.
  await tokenSource.getToken();
  await rc.messages.get(input.messageId);
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));

  const collections = countCollections();
  const sampler = startRssSampler(20, { collectGarbage: input.collectGarbage ?? false });
  const startedAt = Date.now();
  let resumes = 0;
  let clearing: Promise<unknown> | undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  const download = await rc.attachments.read(
    { messageId: input.messageId, attachmentId: input.attachmentId },
    {
      onResume: () => {
        resumes += 1;
      },
    },
  );
  for await (const chunk of download.stream) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    if (
      input.clearFaultsAfterBytes !== undefined &&
      !clearing &&
      bytes >= input.clearFaultsAfterBytes
    ) {
      clearing = fetch(`${input.server}/__emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then((response) => response.arrayBuffer());
    }
  }
  const durationMs = Date.now() - startedAt;
  const rss = sampler.stop();
  // Entries of the last collections are delivered asynchronously; let them arrive.
  await new Promise((resolve) => setImmediate(resolve));
  const counted = collections.stop();
  await clearing;
  return {
    bytes,
    sha256: hash.digest('hex'),
    durationMs,
    resumes,
    rss,
    collections: counted,
    nodeOptions: process.env.NODE_OPTIONS ?? '',
  };
});
