import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPurge } from '../../../lib/purge/plan.ts';
import type { Verification } from '../../../lib/purge/verification.ts';
import { messageRecord } from './fixture.ts';

const created = '2024-01-01T00:00:00.000Z';

function verificationOf(id: string, outcome: 'verified' | 'hole' | 'none'): Verification[] {
  if (outcome === 'none') return [];
  if (outcome === 'verified') {
    return [{ id, verified: true, manifestKey: `k/${id}`, attachments: 1, checksummed: 0 }];
  }
  return [{ id, verified: false, reason: 'attachment-missing', detail: `k/${id}/a` }];
}

describe('planPurge', () => {
  it('deletes only verified ids, in batches of at most 50, and skips the rest with reasons', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('verified' as const, 'hole' as const, 'none' as const), {
          maxLength: 260,
        }),
        (outcomes) => {
          // Prepare
          const records = outcomes.map((_, index) =>
            messageRecord({
              id: String(1_000_000_000_000_000_000n + BigInt(index)),
              creationTime: created,
            }),
          );
          const verifications = records.flatMap((record, index) =>
            verificationOf(record.id, outcomes[index]!),
          );

          // Act
          const plan = planPurge(records, verifications);

          // Assess
          const deleted = plan.batches.flat().map((entry) => entry.id);
          const expected = records.filter((_, index) => outcomes[index] === 'verified');
          expect(deleted).toEqual(expected.map((record) => record.id));
          expect(plan.batches.every((batch) => batch.length >= 1 && batch.length <= 50)).toBe(true);
          expect(plan.batches).toHaveLength(Math.ceil(expected.length / 50));
          expect(plan.skipped.map((skip) => skip.reason)).toEqual(
            outcomes
              .filter((outcome) => outcome !== 'verified')
              .map((outcome) =>
                outcome === 'hole' ? 'attachment-missing' : 'not-verified-before-deadline',
              ),
          );
        },
      ),
    );
  });

  it('lists a duplicate candidate once', () => {
    // Prepare
    const record = messageRecord({ id: '42', creationTime: created });

    // Act
    const plan = planPurge([record, record], verificationOf('42', 'verified'));

    // Assess
    expect(plan.batches).toEqual([
      [{ id: '42', manifestKey: 'k/42', type: 'Fax', creationTime: created }],
    ]);
  });

  it('refuses batches larger than RingCentral accepts', () => {
    // Act
    const plan = () => planPurge([], [], 51);

    // Assess
    expect(plan).toThrow(RangeError);
  });
});
