/**
 * ListObjectsV2 as S3 answers it, on s3rver's ListObjects (v1). s3rver encrypts its v2
 * continuation tokens with DES, which the OpenSSL 3 of current Node no longer provides, so any
 * v2 listing with more keys than one page fails there with a 500 (the first page too: the token
 * is made when a page is truncated). The front asks s3rver for the same page in v1, where the
 * position is the key to start after, and answers in v2: an opaque token that names that key,
 * `KeyCount`, `StartAfter`, and the owner only on `fetch-owner`.
 */
import type { ServerResponse } from 'node:http';
import type { Backend } from './backend.ts';
import { relayAnswer } from './relay.ts';
import { escapeXml, s3Errors, sendXml, unescapeXml } from './s3-error.ts';

/** A continuation token: the key a page ended at, opaque to the caller as S3's are. */
function tokenFor(key: string): string {
  return Buffer.from(`v2:${key}`, 'utf8').toString('base64url');
}

function keyOfToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('v2:')) throw s3Errors.invalidContinuationToken();
  return decoded.slice(3);
}

/** The elements of one kind in a v1 answer, as written. */
function elements(xml: string, name: 'Contents' | 'CommonPrefixes'): string[] {
  return xml.match(new RegExp(`<${name}>[\\s\\S]*?</${name}>`, 'g')) ?? [];
}

function firstValue(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match ? unescapeXml(match[1] ?? '') : undefined;
}

/** Where the next page starts: the greatest key or common prefix of this one. */
function lastPosition(contents: string[], prefixes: string[]): string | undefined {
  const keys = contents.map((item) => firstValue(item, 'Key'));
  const commonPrefixes = prefixes.map((item) => firstValue(item, 'Prefix'));
  return [...keys, ...commonPrefixes]
    .filter((value): value is string => value !== undefined)
    .sort()
    .at(-1);
}

/** Answers `GET /bucket?list-type=2` (see the module comment). */
export async function listObjectsV2(
  backend: Backend,
  response: ServerResponse,
  bucket: string,
  query: URLSearchParams,
): Promise<void> {
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  const v1 = new URLSearchParams();
  for (const name of ['prefix', 'delimiter', 'max-keys', 'encoding-type']) {
    const value = query.get(name);
    if (value !== null) v1.set(name, value);
  }
  const marker = token ? keyOfToken(token) : startAfter;
  if (marker) v1.set('marker', marker);
  const answer = await backend.call('GET', `/${encodeURIComponent(bucket)}?${v1}`);
  if (answer.status !== 200) return relayAnswer(response, answer, 'GET');

  const xml = answer.body.toString('utf8');
  const withOwner = query.get('fetch-owner') === 'true';
  const contents = elements(xml, 'Contents').map((item) =>
    withOwner ? item : item.replace(/<Owner>[\s\S]*?<\/Owner>/, ''),
  );
  const prefixes = elements(xml, 'CommonPrefixes');
  const truncated = xml.includes('<IsTruncated>true</IsTruncated>');
  const next = truncated ? lastPosition(contents, prefixes) : undefined;
  const optional = (name: string, value: string | null | undefined) =>
    value ? `<${name}>${escapeXml(value)}</${name}>` : '';
  sendXml(
    response,
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(query.get('prefix') ?? '')}</Prefix>${optional('StartAfter', token ? undefined : startAfter)}${optional('ContinuationToken', token)}${optional('NextContinuationToken', next && tokenFor(next))}<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${escapeXml(query.get('max-keys') ?? '1000')}</MaxKeys>${optional('Delimiter', query.get('delimiter'))}${optional('EncodingType', query.get('encoding-type'))}<IsTruncated>${truncated}</IsTruncated>${contents.join('')}${prefixes.join('')}</ListBucketResult>`,
  );
}
