import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REFRESH_POLICY,
  decideRefresh,
  type StoredSession,
} from '../../../lib/session/refresh-policy.ts';

const MINUTE = 60_000;
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

function session(accessMinutesLeft: number, refreshMinutesLeft = 7 * 24 * 60): StoredSession {
  return {
    accessToken: 'access',
    refreshToken: 'refresh',
    expiresAt: new Date(NOW + accessMinutesLeft * MINUTE).toISOString(),
    refreshExpiresAt: new Date(NOW + refreshMinutesLeft * MINUTE).toISOString(),
  };
}

describe('decideRefresh', () => {
  it('logs in when no session is stored', () => {
    // Prepare
    const stored = undefined;

    // Act
    const decision = decideRefresh(stored, NOW);

    // Assess
    expect(decision.action).toBe('login');
  });

  it('refreshes when the token would have under 15 minutes left at the next 30-minute run', () => {
    // Prepare: 44 minutes left now means 14 at the next run.
    const stored = session(44);

    // Act
    const decision = decideRefresh(stored, NOW);

    // Assess
    expect(decision.action).toBe('refresh');
  });

  it('does nothing when the token keeps 15 minutes past the next run', () => {
    // Prepare
    const stored = session(45);

    // Act
    const decision = decideRefresh(stored, NOW);

    // Assess
    expect(decision.action).toBe('none');
  });

  it('follows a configured schedule and reserve', () => {
    // Prepare: a 5-minute schedule with 2 minutes of reserve needs 7 minutes.
    const policy = { scheduleIntervalMs: 5 * MINUTE, minimumRemainingMs: 2 * MINUTE };

    // Act
    const low = decideRefresh(session(6.9), NOW, policy);
    const enough = decideRefresh(session(7), NOW, policy);

    // Assess
    expect([low.action, enough.action]).toEqual(['refresh', 'none']);
  });

  it('logs in when the refresh token is missing or expired', () => {
    // Prepare
    const missing = { ...session(50), refreshToken: '' };
    const expired = session(50, -1);

    // Act
    const decisions = [decideRefresh(missing, NOW), decideRefresh(expired, NOW)];

    // Assess
    expect(decisions.map((decision) => decision.action)).toEqual(['login', 'login']);
  });

  it('refreshes early when the refresh token would run out before the next run', () => {
    // Prepare: the access token is fine, the refresh token has 40 minutes left.
    const stored = session(60, 40);

    // Act
    const decision = decideRefresh(stored, NOW, DEFAULT_REFRESH_POLICY);

    // Assess
    expect(decision.action).toBe('refresh');
  });

  it('logs in when the stored times are unreadable', () => {
    // Prepare
    const stored = { ...session(60), refreshExpiresAt: 'not a time' };

    // Act
    const decision = decideRefresh(stored, NOW);

    // Assess
    expect(decision.action).toBe('login');
  });
});
