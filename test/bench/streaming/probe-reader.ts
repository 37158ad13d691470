/**
 * Child process of the streaming probe: reads the large attachment by one download path and
 * reports its own memory (RSS, external memory, ArrayBuffers) and garbage collections.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runAsChild } from '../support/child-process.ts';
import type { BenchCredentials } from '../support/emulator-process.ts';
import { createBenchRingCentral } from '../support/paced-client.ts';

/** Download paths the probe compares. */
export type ProbeVariant = 'client' | 'fetch' | 'fetch-readable' | 'http';

/** What the probe parent sends. */
export interface ProbeInput {
  server: string;
  mediaServer: string;
  credentials: BenchCredentials;
  windowScale: number;
  messageId: string;
  attachmentId: string;
  variant: ProbeVariant;
  /** Milliseconds the consumer waits every `throttleEveryBytes` (a slower sink, e.g. S3). */
  throttleMs?: number;
  throttleEveryBytes?: number;
}

/** What the probe child reports; sizes in bytes. */
export interface ProbeResult {
  variant: ProbeVariant;
  bytes: number;
  sha256: string;
  durationMs: number;
  chunks: number;
  rssBaseline: number;
  rssPeak: number;
  externalPeak: number;
  arrayBuffersPeak: number;
  heapUsedPeak: number;
  scavenges: number;
  markCompacts: number;
  execArgv: string;
}

// Flags NODE_OPTIONS refuses (e.g. --trace-gc) for diagnosis.
if (process.env.PROBE_V8_FLAGS) v8.setFlagsFromString(process.env.PROBE_V8_FLAGS);

runAsChild<ProbeInput, ProbeResult>(async (input) => {
  const { rc, tokenSource } = createBenchRingCentral(input);
  const token = (await tokenSource.getToken()).accessToken;
  await rc.messages.get(input.messageId);
  const path = `/restapi/v1.0/account/~/extension/~/message-store/${input.messageId}/content/${input.attachmentId}`;
  const url = `${input.mediaServer}${path}`;

  const open = async (): Promise<AsyncIterable<Uint8Array>> => {
    switch (input.variant) {
      case 'client':
        return (
          await rc.attachments.read({
            messageId: input.messageId,
            attachmentId: input.attachmentId,
          })
        ).stream;
      case 'fetch': {
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        return response.body as unknown as AsyncIterable<Uint8Array>;
      }
      case 'fetch-readable': {
        const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        return Readable.fromWeb(response.body as never);
      }
      case 'http':
        return new Promise((resolve, reject) => {
          http
            .get(url, { headers: { authorization: `Bearer ${token}` } }, resolve)
            .on('error', reject);
        });
    }
  };

  let scavenges = 0;
  let markCompacts = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges += 1;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts += 1;
    }
  });
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.observe({ entryTypes: ['gc'] });

  const rssBaseline = process.memoryUsage.rss();
  let rssPeak = rssBaseline;
  let externalPeak = 0;
  let arrayBuffersPeak = 0;
  let heapUsedPeak = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss);
    externalPeak = Math.max(externalPeak, usage.external);
    arrayBuffersPeak = Math.max(arrayBuffersPeak, usage.arrayBuffers);
    heapUsedPeak = Math.max(heapUsedPeak, usage.heapUsed);
    if (process.env.PROBE_TIMELINE) {
      process.stderr.write(
        `t=${Date.now() - startedAt} read=${(bytes / 2 ** 20).toFixed(0)} rss=${((usage.rss - rssBaseline) / 2 ** 20).toFixed(1)} ab=${(usage.arrayBuffers / 2 ** 20).toFixed(1)} ext=${(usage.external / 2 ** 20).toFixed(1)}\n`,
      );
    }
  };
  const startedAt = Date.now();
  let bytes = 0;
  const timer = setInterval(sample, 20);
  const hash = createHash('sha256');
  let chunks = 0;
  let nextPause = input.throttleEveryBytes ?? Number.POSITIVE_INFINITY;
  for await (const chunk of await open()) {
    hash.update(chunk);
    bytes += chunk.byteLength;
    chunks += 1;
    if (bytes >= nextPause) {
      nextPause += input.throttleEveryBytes ?? 0;
      await new Promise((resolve) => setTimeout(resolve, input.throttleMs ?? 0));
    }
  }
  const durationMs = Date.now() - startedAt;
  clearInterval(timer);
  sample();
  observer.disconnect();
  return {
    variant: input.variant,
    bytes,
    sha256: hash.digest('hex'),
    durationMs,
    chunks,
    rssBaseline,
    rssPeak,
    externalPeak,
    arrayBuffersPeak,
    heapUsedPeak,
    scavenges,
    markCompacts,
    execArgv: process.env.NODE_OPTIONS ?? '',
  };
});
