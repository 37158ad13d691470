import { describe, expect, it } from 'vitest';
import { InvalidArchivePolicyError } from '../../../lib/extensions/errors.ts';
import { decide, MAILBOX_TYPES, parseArchivePolicy } from '../../../lib/extensions/policy.ts';
import { EXTENSION_TYPES } from '../../../lib/ringcentral/index.ts';

describe('the archive policy', () => {
  it('archives by default every type with a mailbox and no other, naming why', () => {
    // Prepare
    const types = EXTENSION_TYPES;

    // Act
    const decisions = types.map((type) => [type, decide({}, { id: '1', type })] as const);

    // Assess
    for (const [type, decision] of decisions) {
      if (MAILBOX_TYPES.includes(type)) expect(decision).toEqual({ archived: true });
      else expect(decision).toEqual({ archived: false, skipReason: `type ${type} has no mailbox` });
    }
    expect(decisions.filter(([, decision]) => decision.archived)).toHaveLength(7);
  });

  it('lets an id rule win over a type rule and exclude win over include', () => {
    // Prepare
    const policy = {
      excludeTypes: ['User'],
      includeTypes: ['IvrMenu', 'User'],
      includeIds: ['5', '6'],
      excludeIds: ['6', '7'],
    };

    // Act
    const decide_ = (id: string, type: string) => decide(policy, { id, type });

    // Assess
    expect(decide_('1', 'User')).toEqual({ archived: false, skipReason: 'type User excluded' });
    expect(decide_('5', 'User')).toEqual({ archived: true });
    expect(decide_('6', 'User')).toEqual({ archived: false, skipReason: 'excluded by id' });
    expect(decide_('7', 'FaxUser')).toEqual({ archived: false, skipReason: 'excluded by id' });
    expect(decide_('2', 'IvrMenu')).toEqual({ archived: true });
    expect(decide_('3', 'FaxUser')).toEqual({ archived: true });
  });

  it('validates a written policy: known types, decimal ids, no other field; drops repeats', () => {
    // Prepare
    const valid = { includeIds: ['101005', '101005'], excludeTypes: [], includeTypes: ['Bot'] };

    // Act
    const parsed = parseArchivePolicy(valid);
    const failures = [
      { includeTypes: ['Robot'] },
      { excludeIds: ['12a'] },
      { excludeIds: [101005] },
      { includeId: ['1'] },
      'User',
    ].map((policy) => {
      try {
        parseArchivePolicy(policy);
        return undefined;
      } catch (error) {
        return error;
      }
    });

    // Assess
    expect(parsed).toEqual({ includeIds: ['101005'], includeTypes: ['Bot'] });
    for (const failure of failures) expect(failure).toBeInstanceOf(InvalidArchivePolicyError);
    expect((failures[1] as Error).message).toContain('excludeIds[0]');
  });
});
