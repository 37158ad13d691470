/**
 * The post-deploy checks of `npm run smoke`, on a port ({@link SmokeTarget}) that a deployment
 * (`deployed-target.ts`) and the running `npm start` (`local-target.ts`) implement. Each check
 * says what it found in one line; a failed one says what to do.
 */

/** What the checks read from a deployment. */
export interface SmokeTarget {
  /** Says plainly what is checked, e.g. `stack RingCentralMessageAutomation (us-east-1)`. */
  description: string;
  /** The address the webhook subscription must deliver to. */
  webhookUrl: string;
  /** The RingCentral server and the session token-refresh wrote (no token: not written yet). */
  session(): Promise<{ server: string; accessToken?: string }>;
  /** A HEAD of an archive key that does not exist (infra/archive-listing-probe.ts). */
  headMissingArchiveKey(): Promise<ArchiveProbe>;
  /** The alarm topic's subscriptions; undefined where there is no alarm topic (npm start). */
  alarmSubscriptions(): Promise<Array<{ endpoint: string; confirmed: boolean }> | undefined>;
  /** The HTTP status of a SigV4-signed GET /messages/{id} of a message nobody sent. */
  signedStatusRequest(): Promise<number>;
}

/** How S3 answered a HEAD of a missing archive key, and under whose credentials. */
export interface ArchiveProbe {
  /** The HTTP status: 404 (absent) or 403 (S3 would not say). */
  status: number;
  /** Whose credentials read it, e.g. `role arn:aws:sts::...:assumed-role/...`. */
  readAs: string;
  /** What the answer proves and what it cannot, said after the verdict. */
  proves: string;
}

/** The outcome of one check. */
export interface SmokeResult {
  check: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
}

type Check = (target: SmokeTarget, context: CheckContext) => Promise<Omit<SmokeResult, 'check'>>;

/** What the session check learned, for the subscription check. */
interface CheckContext {
  session?: { server: string; accessToken: string };
}

const pass = (detail: string) => ({ outcome: 'pass' as const, detail });
const fail = (detail: string) => ({ outcome: 'fail' as const, detail });

/** A RingCentral GET with the session's token: the status and the JSON body (or undefined). */
async function ringCentralGet(
  session: { server: string; accessToken: string },
  path: string,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const response = await fetch(new URL(path, session.server), {
    headers: { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' },
  });
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** RingCentral's error code and message of a failed answer, never a token. */
function ringCentralError(body: Record<string, unknown> | undefined): string {
  const code = body?.errorCode ?? body?.error ?? 'no error code';
  const message = body?.message ?? body?.error_description ?? '';
  return `${String(code)}${message ? `: ${String(message)}` : ''}`;
}

const checkSession: Check = async (target, context) => {
  const session = await target.session();
  if (!session.accessToken) {
    return fail(
      'the session secret holds no access token yet: run token-refresh with {"force":true}',
    );
  }
  const signedIn = { server: session.server, accessToken: session.accessToken };
  const { status, body } = await ringCentralGet(signedIn, '/restapi/v1.0/account/~/extension/~');
  if (status !== 200) {
    return fail(
      `RingCentral refused the session (${status} ${ringCentralError(body)}): run token-refresh with {"force":true}; if it fails, check the credentials secret`,
    );
  }
  context.session = signedIn;
  return pass(`RingCentral accepts the session (extension ${String(body?.id ?? '?')})`);
};

const checkSubscription: Check = async (target, context) => {
  if (!context.session) return fail('cannot be checked without a valid session');
  const { status, body } = await ringCentralGet(context.session, '/restapi/v1.0/subscription');
  if (status !== 200)
    return fail(`listing subscriptions failed (${status} ${ringCentralError(body)})`);
  const records = (Array.isArray(body?.records) ? body.records : []) as Array<{
    id?: unknown;
    status?: unknown;
    deliveryMode?: { address?: unknown };
  }>;
  const ours = records.filter((record) => record.deliveryMode?.address === target.webhookUrl);
  const active = ours.find((record) => record.status === 'Active');
  if (active) return pass(`subscription ${String(active.id)} is Active for ${target.webhookUrl}`);
  const seen = ours.map((record) => `${String(record.id)} ${String(record.status)}`).join(', ');
  return fail(
    `no Active subscription for ${target.webhookUrl}${seen ? ` (${seen})` : ''}: run subscription-keeper`,
  );
};

const checkArchiveListing: Check = async (target) => {
  const probe = await target.headMissingArchiveKey();
  if (probe.status === 404) {
    return pass(
      `a missing archive key reads as 404 (absent), not 403, as ${probe.readAs}: ${probe.proves}`,
    );
  }
  const consequence =
    probe.status === 403
      ? 'archive and purge would take absent objects for errors (their s3:ListBucket grant, conditioned on s3:prefix archive/*, does not cover a HEAD): grant them s3:ListBucket without the condition'
      : 'expected 404 for a key nothing writes';
  return fail(
    `a missing archive key answered ${probe.status}, not 404, as ${probe.readAs}: ${consequence}`,
  );
};

const checkAlarmTopic: Check = async (target) => {
  const subscriptions = await target.alarmSubscriptions();
  if (subscriptions === undefined) {
    return {
      outcome: 'skip',
      detail: 'no alarm topic (npm start has none; a deployment outputs AlarmTopicArn)',
    };
  }
  const confirmed = subscriptions.filter((subscription) => subscription.confirmed);
  if (confirmed.length > 0) {
    return pass(
      `${confirmed.length} confirmed subscription(s): ${confirmed.map((s) => s.endpoint).join(', ')}`,
    );
  }
  return fail(
    `no confirmed subscription (${subscriptions.length} pending): confirm the AWS Notifications email, or set alarmTopicArn`,
  );
};

const checkSignedRequest: Check = async (target) => {
  const status = await target.signedStatusRequest();
  if (status === 404)
    return pass('a signed GET /messages/{id} is authorized (404: no such message)');
  return fail(
    `a signed GET /messages/{id} answered ${status}: ${status === 403 ? 'your credentials are not an allowedCallers role' : 'see the API access log'}`,
  );
};

const CHECKS: Array<[string, Check]> = [
  ['session', checkSession],
  ['subscription', checkSubscription],
  ['archive listing', checkArchiveListing],
  ['alarm topic', checkAlarmTopic],
  ['signed request', checkSignedRequest],
];

/** Runs every check in order; an exception fails its check with its message. */
export async function runSmokeChecks(target: SmokeTarget): Promise<SmokeResult[]> {
  const context: CheckContext = {};
  const results: SmokeResult[] = [];
  for (const [check, run] of CHECKS) {
    try {
      results.push({ check, ...(await run(target, context)) });
    } catch (error) {
      results.push({
        check,
        outcome: 'fail',
        detail: `could not check: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return results;
}

/** One line per check, `PASS`/`FAIL`/`SKIP`, and a verdict line. */
export function formatSmokeResults(target: SmokeTarget, results: SmokeResult[]): string {
  const failed = results.filter((result) => result.outcome === 'fail').length;
  return [
    `Smoke test of ${target.description}`,
    ...results.map(
      (result) => `  ${result.outcome.toUpperCase().padEnd(4)} ${result.check}: ${result.detail}`,
    ),
    failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`,
  ].join('\n');
}
