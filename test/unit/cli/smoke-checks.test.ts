import { describe, expect, it } from 'vitest';
import { formatSmokeResults, runSmokeChecks, type SmokeTarget } from '../../../cli/smoke/checks.ts';

/** A deployment whose archive listing grant does not cover a HEAD, and that has no session yet. */
function deploymentAnswering(status: number): SmokeTarget {
  return {
    description: 'stack Demo (us-east-1)',
    webhookUrl: 'https://example.invalid/webhook',
    session: async () => ({ server: 'https://example.invalid' }),
    headMissingArchiveKey: async () => ({
      status,
      readAs: 'role arn:aws:sts::123456789012:assumed-role/probe/npm-run-smoke',
      proves: 'unused on failure',
    }),
    alarmSubscriptions: async () => [{ endpoint: 'ops@example.com', confirmed: true }],
    signedStatusRequest: async () => 404,
  };
}

describe('the smoke checks', () => {
  it('fail the archive listing on 403 as the probe role, saying what archive and purge need', async () => {
    // Act
    const results = await runSmokeChecks(deploymentAnswering(403));
    const output = formatSmokeResults(deploymentAnswering(403), results);

    // Assess
    expect(results.find((result) => result.check === 'archive listing')).toEqual({
      check: 'archive listing',
      outcome: 'fail',
      detail: expect.stringMatching(
        /^a missing archive key answered 403, not 404, as role arn:aws:sts::123456789012:assumed-role\/probe\/npm-run-smoke: archive and purge would take absent objects for errors .*grant them s3:ListBucket without the condition$/,
      ),
    });
    expect(output.split('\n').at(-1)).toBe('3 check(s) failed.');
  });

  it('say a key nothing writes should read as 404 when it answers anything else', async () => {
    // Act
    const results = await runSmokeChecks(deploymentAnswering(200));

    // Assess
    expect(results.find((result) => result.check === 'archive listing')?.detail).toMatch(
      /answered 200, not 404, .*: expected 404 for a key nothing writes$/,
    );
  });
});
