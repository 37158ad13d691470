import { Logger } from '@aws-lambda-powertools/logger';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values are never logged: credentials, tokens (access, refresh, sync, verification),
 * JWTs, and message text. `body` covers raw HTTP bodies, which carry message text;
 * `parameterValue` is where RingCentral's error entries echo a rejected value.
 */
export const SENSITIVE_KEY =
  /token|jwt|secret|password|passwd|authorization|cookie|credential|^text$|^body$|coverPageText|parameterValue|assertion|apikey|api_key|signature/i;

// JWTs (three base64url parts, the first a JSON header), bearer credentials, OAuth basic auth,
// and tokens in query strings (media links carry access_token).
const SENSITIVE_PATTERNS: RegExp[] = [
  /eyJ[\w-]*\.[\w-]+\.[\w-]*/g,
  /\b(Bearer|Basic)\s+[\w\-.~+/=]+/gi,
  /([?&](?:access_token|token|jwt|assertion|client_secret)=)[^&\s"']+/gi,
];

/** Removes JWTs, bearer/basic credentials and query-string tokens from a string. */
export function scrubText(text: string): string {
  let result = text;
  for (const pattern of SENSITIVE_PATTERNS) {
    result = result.replace(pattern, (_match, prefix: unknown) =>
      typeof prefix === 'string' && prefix.startsWith('?') ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return result;
}

/**
 * The JSON replacer every log line passes through (Powertools calls it for each key before its own
 * rules, so it sees error messages and stacks too). Sensitive keys lose their value entirely;
 * other strings are scrubbed of anything that looks like a credential.
 */
export function redactLogValue(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (key !== '' && SENSITIVE_KEY.test(key) && !isHarmlessTokenMetadata(key, value)) {
    return REDACTED;
  }
  if (typeof value === 'string') return scrubText(value);
  return value;
}

/** Booleans and numbers under a token-ish key (e.g. `tokenExpiresInMs`) reveal nothing. */
function isHarmlessTokenMetadata(key: string, value: unknown): boolean {
  return (typeof value === 'number' || typeof value === 'boolean') && !/^text$|^body$/i.test(key);
}

/**
 * Looks up a dotted path (`requestContext.requestId`) in an event: all the correlation id paths
 * this project uses. A full JMESPath engine would add its parser to every bundle for that.
 */
export function valueAtPath(path: string, data: unknown): unknown {
  let current: unknown = data;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * A Powertools Logger writing JSON, with every line redacted (DESIGN invariant 8): tokens, JWTs,
 * Authorization headers, secrets and message text never reach the log. Level from `LOG_LEVEL`
 * (or POWERTOOLS_LOG_LEVEL), default INFO.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    jsonReplacerFn: redactLogValue,
    // Lets injectLambdaContext({ correlationIdPath }) pick the API Gateway request id; paths are
    // plain dotted keys (see valueAtPath), not JMESPath expressions.
    correlationIdSearchFn: valueAtPath,
  });
}

export type { Logger };
