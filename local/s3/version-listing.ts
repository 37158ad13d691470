/**
 * ListObjectVersions on a bucket with Object Lock: every version and delete marker, keys in
 * order, newest version first within a key, as S3 lists them. Pages end on a key boundary (a
 * page may hold a few more than `max-keys` versions, never a key split over two pages); no
 * delimiter (the archive never lists by folder).
 */
import type { ServerResponse } from 'node:http';
import type { ObjectVersion } from './object-lock-rules.ts';
import { escapeXml, s3Errors, sendXml } from './s3-error.ts';
import type { VersionCatalog } from './version-catalog.ts';

function entryXml(key: string, version: ObjectVersion, latest: boolean): string {
  const common = `<Key>${escapeXml(key)}</Key><VersionId>${version.versionId}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${version.lastModified}</LastModified>`;
  if (version.deleteMarker) return `<DeleteMarker>${common}</DeleteMarker>`;
  const etag = version.etag ? `<ETag>${escapeXml(version.etag)}</ETag>` : '';
  return `<Version>${common}${etag}<Size>${version.size ?? 0}</Size><StorageClass>STANDARD</StorageClass></Version>`;
}

/** Answers GET `/{bucket}?versions`. */
export async function listObjectVersions(
  catalog: VersionCatalog,
  response: ServerResponse,
  bucket: string,
  query: URLSearchParams,
): Promise<void> {
  if (query.get('delimiter')) throw s3Errors.notImplemented();
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const maxKeys = Math.max(1, Math.min(1000, Number(query.get('max-keys') ?? 1000) || 1000));
  const entries: string[] = [];
  let truncated = false;
  let last: { key: string; versionId: string } | undefined;
  for (const key of await catalog.keys(bucket, prefix)) {
    if (key <= keyMarker) continue;
    const versions = await catalog.list(bucket, key);
    if (versions.length === 0) continue;
    if (entries.length >= maxKeys) {
      truncated = true;
      break;
    }
    versions.forEach((version, index) => {
      entries.push(entryXml(key, version, index === 0));
    });
    last = { key, versionId: versions.at(-1)?.versionId ?? '' };
  }
  const nextMarkers =
    truncated && last
      ? `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>`
      : '';
  sendXml(
    response,
    `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyMarker>${escapeXml(keyMarker)}</KeyMarker><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${nextMarkers}${entries.join('')}</ListVersionsResult>`,
  );
}
