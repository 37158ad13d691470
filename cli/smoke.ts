/**
 * `npm run smoke -- [--stack NAME]`: the post-deploy check. Against a deployed stack (its
 * CloudFormation outputs, your AWS credentials) or, without --stack, the running `npm start`:
 * the session is valid, the webhook subscription is Active, a missing archive key reads as 404
 * under the archive's listing grant, the alarm topic has a confirmed subscription, and a signed
 * request is authorized. One line per check; exit 1 when any fails.
 */
// First: it stops an old Node before any module that needs a newer one is loaded.
import './node-version.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../local/stack/bundles.ts';
import { parseCommandLine, parseOrExit } from './command-line.ts';
import { formatSmokeResults, runSmokeChecks, type SmokeTarget } from './smoke/checks.ts';

/** How to call the command. */
export const SMOKE_USAGE = `Usage: npm run smoke -- [--stack NAME]

  Checks a deployment after a deploy: the RingCentral session is valid, the webhook
  subscription is Active, a missing archive key reads as 404 under the archive's listing
  grant (read as the stack's ArchiveListingProbeRoleArn), the alarm topic has a confirmed
  subscription, a SigV4-signed request is authorized. Exit 1 when any fails.
  --stack NAME  the deployed stack (its outputs; AWS credentials and region from the
                environment, e.g. AWS_PROFILE and AWS_REGION; AWS_ENDPOINT_URL_<SERVICE>
                points a service elsewhere, as the tests point it at npm start)
  (none)        the running npm start (<data dir>/stack.json; LOCAL_DATA_DIR, default .local)
  --help        this text`;

async function main(): Promise<void> {
  const { values } = parseOrExit(
    () => parseCommandLine(process.argv.slice(2), { stack: { type: 'string' } }),
    SMOKE_USAGE,
  );
  const dataDir = process.env.LOCAL_DATA_DIR || join(PROJECT_ROOT, '.local');
  // Loaded only when used: --help and a bad option answer without the SDK clients or the stack.
  const target: SmokeTarget = values.stack
    ? await (await import('./smoke/deployed-target.ts')).openDeployedTarget(values.stack)
    : await (await import('./smoke/local-target.ts')).openLocalTarget(dataDir);
  const results = await runSmokeChecks(target);
  process.stdout.write(`${formatSmokeResults(target, results)}\n`);
  if (results.some((result) => result.outcome === 'fail')) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
