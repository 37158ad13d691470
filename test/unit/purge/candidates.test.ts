import { describe, expect, it } from 'vitest';
import {
  notCandidateReason,
  parseRetentionDays,
  purgeCutoffs,
  RetentionConfigError,
} from '../../../lib/purge/candidates.ts';
import { messageRecord } from './fixture.ts';

const DAY_MS = 86_400_000;
const now = new Date('2024-06-30T12:00:00.000Z');
const daysBefore = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

describe('parseRetentionDays', () => {
  it('accepts whole days per message type', () => {
    // Prepare
    const value = { Fax: 90, VoiceMail: 90, SMS: 365, Pager: 30 };

    // Act
    const retention = parseRetentionDays(value);

    // Assess
    expect(retention).toEqual(value);
  });

  it.each([
    [{ Fax: 0 }],
    [{ Fax: -1 }],
    [{ Fax: 1.5 }],
    [{ Fax: '90' }],
    [{ Email: 10 }],
    [[90]],
    [null],
  ])('refuses %j', (value) => {
    // Act
    const parse = () => parseRetentionDays(value);

    // Assess
    expect(parse).toThrow(RetentionConfigError);
  });
});

describe('purgeCutoffs', () => {
  it('is now minus the retention when the cursor is later', () => {
    // Act
    const cutoffs = purgeCutoffs({ Fax: 90, SMS: 365 }, now, now.toISOString());

    // Assess
    expect(cutoffs).toEqual({ Fax: daysBefore(90), SMS: daysBefore(365) });
  });

  it('is capped by the archive cursor', () => {
    // Prepare
    const cursor = daysBefore(120);

    // Act
    const cutoffs = purgeCutoffs({ Fax: 90, Pager: 365 }, now, cursor);

    // Assess
    expect(cutoffs).toEqual({ Fax: cursor, Pager: daysBefore(365) });
  });

  it('is empty without a cursor', () => {
    // Act
    const cutoffs = purgeCutoffs({ Fax: 90 }, now, undefined);

    // Assess
    expect(cutoffs).toEqual({});
  });
});

describe('notCandidateReason', () => {
  const cursor = daysBefore(1);
  const cutoffs = purgeCutoffs({ Fax: 30, SMS: 30 }, now, cursor);

  it('accepts an Alive message older than its retention, unchanged since the cursor', () => {
    // Prepare
    const record = messageRecord({ id: '1', type: 'Fax', creationTime: daysBefore(31) });

    // Act
    const reason = notCandidateReason(record, cutoffs, cursor);

    // Assess
    expect(reason).toBeUndefined();
  });

  it.each([
    ['type-without-retention', { type: 'VoiceMail' as const, creationTime: daysBefore(400) }],
    ['too-recent', { type: 'Fax' as const, creationTime: daysBefore(29) }],
    [
      'changed-after-archive-cursor',
      { type: 'SMS' as const, creationTime: daysBefore(40), lastModifiedTime: daysBefore(0.5) },
    ],
  ])('says %s', (expected, init) => {
    // Prepare
    const record = messageRecord({ id: '2', ...init });

    // Act
    const reason = notCandidateReason(record, cutoffs, cursor);

    // Assess
    expect(reason).toBe(expected);
  });

  it('leaves messages that are no longer Alive to RingCentral', () => {
    // Prepare
    const record = {
      ...messageRecord({ id: '3', creationTime: daysBefore(60) }),
      availability: 'Deleted' as const,
    };

    // Act
    const reason = notCandidateReason(record, cutoffs, cursor);

    // Assess
    expect(reason).toBe('not-alive');
  });
});
