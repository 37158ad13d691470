import { describe, expect, it } from 'vitest';
import { evictionWarnings } from '../../../lib/extensions/eviction.ts';
import type { ExtensionDayReconciliation } from '../../../lib/extensions/reconciliation.ts';

const NOW = Date.parse('2026-03-31T06:00:00.000Z');

function day(
  extensionId: string,
  date: string,
  missing: Record<string, number>,
): ExtensionDayReconciliation {
  const byType = Object.fromEntries(
    Object.entries(missing).map(([type, count]) => [
      type,
      { ringCentral: count, archived: 0, missing: count, missingIds: [] },
    ]),
  );
  const total = Object.values(missing).reduce((sum, count) => sum + count, 0);
  return { extensionId, date, byType, archivedOnly: 0, missing: total };
}

describe('evictionWarnings', () => {
  it('warns at 80% of the inbox cap for fax and voicemail together, and of the SMS folder', () => {
    // Prepare: 100 + 60 of the inbox's 200; 3,999 then 4,000 of the SMS folder's 5,000.
    const days = [
      day('1', '2026-03-30', { Fax: 100, VoiceMail: 60, SMS: 3_999 }),
      day('2', '2026-03-30', { Fax: 159, SMS: 2_000 }),
      day('2', '2026-03-29', { SMS: 2_000, Pager: 0 }),
    ];

    // Act
    const warnings = evictionWarnings(days, NOW);

    // Assess
    expect(warnings).toEqual([
      { extensionId: '1', cap: 'inbox', unarchived: 160, threshold: 160 },
      { extensionId: '2', cap: 'text-folder', unarchived: 4_000, threshold: 4_000 },
    ]);
  });

  it('warns about messages still unarchived 24 days after their day, not 23', () => {
    // Prepare
    const days = [day('1', '2026-03-07', { SMS: 1 }), day('2', '2026-03-08', { SMS: 1 })];

    // Act
    const warnings = evictionWarnings(days, NOW);

    // Assess
    expect(warnings).toEqual([
      { extensionId: '1', cap: 'age', unarchived: 1, threshold: 24, oldestDate: '2026-03-07' },
    ]);
  });
});
