import { describe, expect, it } from 'vitest';
import {
  InsufficientPermissionsError,
  ServerError,
  type UserPhoneNumber,
} from '../../../lib/ringcentral/index.ts';
import {
  SenderNumberError,
  senderNumberCheck,
  senderNumberRefusal,
} from '../../../lib/sending/sender-number.ts';

const SMS: UserPhoneNumber = { phoneNumber: '+16505550101', features: ['CallerId', 'SmsSender'] };
const FAX: UserPhoneNumber = { phoneNumber: '+16505551101', features: ['CallerId'] };
const requirement = (phoneNumber: string, feature: 'SmsSender' | 'A2PSmsSender' = 'SmsSender') => ({
  phoneNumber,
  feature,
  setting: 'SMS_FROM',
});

describe('senderNumberRefusal', () => {
  it('accepts a listed number with the feature and refuses the others with their reason', () => {
    // Act
    const verdicts = [
      senderNumberRefusal([SMS, FAX], requirement('+16505550101')),
      senderNumberRefusal([SMS, FAX], requirement('+16505551101')),
      senderNumberRefusal([SMS, FAX], requirement('+16505550101', 'A2PSmsSender')),
      senderNumberRefusal([SMS, FAX], requirement('+16505550199')),
    ];

    // Assess
    expect(verdicts.map((verdict) => verdict?.reason)).toEqual([
      undefined,
      'lacks-feature',
      'lacks-feature',
      'not-the-users-number',
    ]);
    expect(verdicts[2]?.message).toContain('A2PSmsSender');
    expect(verdicts[3]?.message).toContain('+16505550199 (SMS_FROM)');
  });
});

describe('senderNumberCheck', () => {
  function check(listNumbers: () => Promise<UserPhoneNumber[]>, phoneNumber = '+16505551101') {
    const told = { refused: 0, uncheckable: 0, lists: 0 };
    const run = senderNumberCheck({
      ...requirement(phoneNumber),
      listNumbers: async () => {
        told.lists += 1;
        return listNumbers();
      },
      onRefused: () => {
        told.refused += 1;
      },
      onUncheckable: () => {
        told.uncheckable += 1;
      },
    });
    return { run: () => run({}), told };
  }

  it('lists once, tells a refusal once and throws it on every call', async () => {
    // Prepare
    const { run, told } = check(async () => [SMS, FAX]);

    // Act
    const outcomes = await Promise.allSettled([run(), run(), run()]);

    // Assess
    for (const outcome of outcomes) {
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(SenderNumberError);
    }
    expect(told).toEqual({ refused: 1, uncheckable: 0, lists: 1 });
  });

  it('lets sends go ahead, and lists again, while listing fails for a passing reason', async () => {
    // Prepare
    let failures = 2;
    const { run, told } = check(async () => {
      if (failures-- > 0) throw new ServerError('unavailable', { status: 503 });
      return [SMS, FAX];
    });

    // Act
    const first = await run();
    const second = await run();
    const third = run();

    // Assess
    expect([first, second]).toEqual([undefined, undefined]);
    await expect(third).rejects.toBeInstanceOf(SenderNumberError);
    expect(told).toEqual({ refused: 1, uncheckable: 0, lists: 3 });
  });

  it('goes unchecked for the container when the token may not list numbers (403)', async () => {
    // Prepare
    const { run, told } = check(async () => {
      throw new InsufficientPermissionsError('no', 'ReadUserPhoneNumbers', { status: 403 });
    });

    // Act
    await run();
    await run();

    // Assess
    expect(told).toEqual({ refused: 0, uncheckable: 1, lists: 1 });
  });
});
