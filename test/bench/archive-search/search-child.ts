/**
 * The searching side of the archive-search bench: searches the archive on the s3rver the bench
 * started (through the product's reader and search) and reports the time, what it read and matched,
 * and its own peak RSS and heap while searching.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createS3ArchiveReader } from '../../../lib/aws/s3-archive-reader.ts';
import type { SearchCriteria } from '../../../lib/search/criteria.ts';
import { searchArchive } from '../../../lib/search/local-search.ts';
import { runAsChild } from '../support/child-process.ts';
import { startRssSampler } from '../support/rss-sampler.ts';

/** What the bench hands the child. */
export interface SearchChildInput {
  endpoint: string;
  bucket: string;
  criteria: SearchCriteria;
}

/** What the child reports. */
export interface SearchChildResult {
  ms: number;
  listed: number;
  read: number;
  matched: number;
  peakRssBytes: number;
  peakHeapBytes: number;
}

runAsChild<SearchChildInput, SearchChildResult>(async (input) => {
  const client = new S3Client({
    endpoint: input.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const reader = createS3ArchiveReader({ bucket: input.bucket, client });
  let peakHeapBytes = 0;
  const heap = setInterval(() => {
    peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
  }, 20);
  const sampler = startRssSampler(20);
  const started = performance.now();
  let last = { listed: 0, read: 0, matched: 0, unreadable: 0 };
  for await (const _ of searchArchive(reader, input.criteria, {
    onProgress: (progress) => {
      last = { ...progress };
    },
  })) {
    // Results are counted by the search's progress.
  }
  const ms = performance.now() - started;
  const rss = sampler.stop();
  clearInterval(heap);
  client.destroy();
  return {
    ms,
    listed: last.listed,
    read: last.read,
    matched: last.matched,
    peakRssBytes: rss.peakBytes,
    peakHeapBytes,
  };
});
