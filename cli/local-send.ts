/**
 * `npm run local:send -- sms|fax|pager [text]`: sends one SigV4-signed request through the
 * running local stack's gateway, with the access key `npm start` wrote to `<data dir>/stack.json`,
 * and prints the answer. A convenience beside the curl commands `npm start` prints.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { sha256Hex, signRequest } from '../local/stack/sigv4.ts';
import type { LocalStackInfo } from '../local/stack/stack.ts';
import { parseCommandLine, parseOrExit, UsageError } from './command-line.ts';

/** How to call the command. */
export const LOCAL_SEND_USAGE = `Usage: npm run local:send -- [sms|fax|pager] [text ...]

  Sends one SigV4-signed request to the running npm start (its key from <data dir>/stack.json;
  LOCAL_DATA_DIR, default .local) and prints the answer. Default: sms.
  --help  this text`;

const KINDS = ['sms', 'fax', 'pager'];

/** The JSON body of each route, for the stack's own mailbox. */
export function sampleBody(kind: string, info: LocalStackInfo, text: string): unknown {
  switch (kind) {
    case 'sms':
      return { to: [info.smsTo ?? '+16505550102'], text };
    case 'fax':
      return {
        to: [info.faxTo ?? '+16505551102'],
        documents: [
          { fileName: 'hello.txt', content: Buffer.from(`${text}\n`).toString('base64') },
        ],
      };
    case 'pager':
      return { to: [{ extensionNumber: '102' }], text };
    default:
      throw new Error(`Unknown kind ${JSON.stringify(kind)}: use sms, fax or pager`);
  }
}

/** Sends `body` to `path` signed with the stack's key; returns the status and body text. */
export async function sendSigned(
  info: LocalStackInfo,
  path: string,
  body: unknown,
  idempotencyKey: string = randomUUID(),
): Promise<{ status: number; body: string }> {
  const url = new URL(path, info.apiUrl);
  const payload = JSON.stringify(body);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json',
    'idempotency-key': idempotencyKey,
  };
  const signed = signRequest(
    {
      method: 'POST',
      path: url.pathname,
      query: '',
      headers: Object.entries(headers),
      payloadSha256: sha256Hex(payload),
    },
    info,
    { region: info.region, service: 'execute-api' },
  );
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, ...signed },
    body: payload,
  });
  return { status: response.status, body: await response.text() };
}

async function main(): Promise<void> {
  const { positionals } = parseOrExit(() => {
    const parsed = parseCommandLine(process.argv.slice(2), {}, true);
    const kind = parsed.positionals[0];
    if (kind !== undefined && !KINDS.includes(kind)) {
      throw new UsageError(`Unknown kind ${JSON.stringify(kind)}: use sms, fax or pager`);
    }
    return parsed;
  }, LOCAL_SEND_USAGE);
  const [kind = 'sms', ...words] = positionals;
  const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
  let info: LocalStackInfo;
  try {
    info = JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as LocalStackInfo;
  } catch (error) {
    throw new Error(`No running stack found in ${dataDir}: start it with npm start`, {
      cause: error,
    });
  }
  const text = words.join(' ') || `Hello from npm run local:send (${new Date().toISOString()})`;
  const answer = await sendSigned(info, `/${kind}`, sampleBody(kind, info, text));
  process.stdout.write(`POST /${kind} -> ${answer.status}\n${answer.body}\n`);
  if (answer.status >= 400) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
