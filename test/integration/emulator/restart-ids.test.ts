import { describe, expect, it } from 'vitest';
import { exactJson, startHarness } from './harness.ts';

const START = Date.parse('2026-12-06T12:00:00Z');

interface Sent {
  id: string;
  attachments: Array<{ id: string }>;
}

/** One run of the emulator started at `startMs`: sends two SMS, returns their ids, stops. */
async function runOnce(startMs: number) {
  const harness = await startHarness({ now: () => startMs });
  try {
    const sent: Sent[] = [];
    for (const text of ['first', 'second']) {
      const response = await fetch(harness.ext('/sms'), {
        method: 'POST',
        headers: { ...harness.auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: { phoneNumber: '+16505550101' },
          to: [{ phoneNumber: '+14155550100' }],
          text,
        }),
      });
      sent.push((await exactJson(response)) as Sent);
    }
    const listing = await fetch(
      harness.ext('/message-store?perPage=1000&dateFrom=2000-01-01T00:00:00Z'),
      {
        headers: harness.auth,
      },
    );
    const stored = ((await exactJson(listing)) as { records: Sent[] }).records;
    return {
      messageIds: sent.map((message) => message.id),
      attachmentIds: sent.flatMap((message) => message.attachments.map((a) => a.id)),
      storedIds: stored.map((message) => message.id),
      problems: harness.contractProblems(),
    };
  } finally {
    await harness.stop();
  }
}

describe('local RingCentral ids across restarts', () => {
  it('gives the messages of each later run ids no earlier run gave out, seeded ones unchanged', async () => {
    // Act (three runs a second apart, as restarts of a stack on the same state directory)
    const first = await runOnce(START);
    const second = await runOnce(START + 1_000);
    const third = await runOnce(START + 2_000);

    // Assess
    const runs = [first, second, third];
    const messageIds = runs.flatMap((run) => run.messageIds);
    const attachmentIds = runs.flatMap((run) => run.attachmentIds);
    expect(new Set(messageIds).size).toBe(6);
    expect(new Set(attachmentIds).size).toBe(attachmentIds.length);
    expect(attachmentIds.length).toBeGreaterThanOrEqual(6);
    const seeded = (run: typeof first) =>
      run.storedIds.filter((id) => !run.messageIds.includes(id));
    expect(seeded(second)).toEqual(seeded(first));
    expect(seeded(third)).toEqual(seeded(first));
    for (const id of messageIds) expect(seeded(first)).not.toContain(id);
    // Each run's ids are above the earlier run's, and exact as JSON numbers
    const numeric = messageIds.map(BigInt);
    expect(numeric).toEqual([...numeric].sort((a, b) => (a < b ? -1 : 1)));
    expect(numeric.every((id) => id <= BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(runs.flatMap((run) => run.problems)).toEqual([]);
  });
});
