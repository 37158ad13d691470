import { describe, expect, it } from 'vitest';
import { buildSearchQuery, sqlString } from '../../../lib/search/athena-query.ts';
import { datePrefixes } from '../../../lib/search/listing-plan.ts';

describe('the listing plan', () => {
  it('lists whole months as one prefix and the days at the ends of the range', () => {
    // Act
    const prefixes = datePrefixes('2026-02-27T10:00:00.000Z', '2026-05-02T00:00:00.000Z');

    // Assess
    expect(prefixes).toEqual(['2026/02/27/', '2026/02/28/', '2026/03/', '2026/04/', '2026/05/01/']);
  });
});

describe('the Athena query', () => {
  it('states every condition of the local filter with its values as parameters, never in the text', () => {
    // Act
    const query = buildSearchQuery(
      {
        party: '16505550100',
        from: '2026-03-01T00:00:00.000Z',
        to: '2026-06-01T00:00:00.000Z',
        types: ['sms'],
        directions: ['inbound'],
        text: "o'brien",
      },
      { database: 'db', table: 'messages', accountIds: ['400100'], extensionIds: ['5001', '5002'] },
    );

    // Assess
    expect(query.sql).not.toContain('16505550100');
    expect(query.sql).not.toContain('brien');
    expect(query.sql.match(/\?/g)?.length).toBe(query.parameters.length);
    expect(query.parameters).toEqual([
      "'400100'",
      "'5001'",
      "'5002'",
      "'2026/03/01'",
      "'2026/06/01'",
      "'2026-03-01T00:00:00.000Z'",
      "'2026-06-01T00:00:00.000Z'",
      "'sms'",
      "'inbound'",
      sqlString("o'brien"),
      "'16505550100'",
      "'16505550100'",
      "'16505550100'",
      "'16505550100'",
    ]);
    expect(sqlString("o'brien")).toBe("'o''brien'");
    expect(query.sql).toContain('any_match(coalesce(message."to", ARRAY[]), t ->');
    expect(query.sql).toContain(`"$path" LIKE '%/message.json'`);
  });
});
