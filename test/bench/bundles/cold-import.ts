/**
 * Cold import time of a bundle: a fresh node process (with --enable-source-maps, as deployed)
 * imports it once and reports the milliseconds; the median of several processes counts.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Environment every function's config schema accepts (the union of their variables, dummy
 * values): the bundles validate it at import, as they do at a cold start.
 */
export const IMPORT_ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  STATE_TABLE_NAME: 'state',
  CREDENTIALS_SECRET_ID: 'credentials',
  SESSION_SECRET_ID: 'session',
  WEBHOOK_SECRET_ID: 'webhook',
  SMS_FROM: '+16505550100',
  EVENT_BUS_NAME: 'bus',
  WEBHOOK_URL: 'https://example.com/webhook',
  ALERT_RECIPIENTS: '{"sms":[],"pager":[]}',
  ARCHIVE_BUCKET_NAME: 'archive',
  ARCHIVE_FUNCTION_NAME: 'archive',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

const PROBE = `
const started = performance.now();
await import(process.argv[1]);
process.stdout.write(String(performance.now() - started));
`;

/** One fresh process importing `file`; resolves with the import's milliseconds. */
export function importOnce(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', PROBE, pathToFileURL(file).href],
      {
        env: { PATH: process.env.PATH ?? '', ...IMPORT_ENVIRONMENT },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(out);
      if (code !== 0 || !Number.isFinite(ms)) {
        reject(new Error(`importing ${file} failed (exit ${code}): ${err.slice(0, 500)}`));
      } else {
        resolve(ms);
      }
    });
  });
}

/** The median of `runs` cold imports of `file`. */
export async function medianImportMs(file: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) times.push(await importOnce(file));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}
