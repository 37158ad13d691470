import { describe, expect, it } from 'vitest';
import { sendFaxRequest } from '../../../lib/api/fax.ts';
import { sendPagerRequest } from '../../../lib/api/pager.ts';
import { sendSmsRequest } from '../../../lib/api/sms.ts';
import { describeIssues, fieldIssues, fieldPath } from '../../../lib/validation/issues.ts';
import * as z from '../../../lib/validation/zod.ts';

function issuesOf(schema: z.$ZodType, value: unknown) {
  const result = z.safeParse(schema, value);
  if (result.success) throw new Error('expected a failure');
  return fieldIssues(result.error, { whole: '(body)' });
}

describe('validation issues, worded once', () => {
  it('writes every path as to[0].phoneNumber, with a root and odd keys quoted', () => {
    // Act
    const paths = [
      fieldPath(['to', 0, 'phoneNumber']),
      fieldPath(['recipients', 'sms', 2], 'detail'),
      fieldPath(['headers', 'idempotency-key']),
      fieldPath([]),
    ];

    // Assess
    expect(paths).toEqual([
      'to[0].phoneNumber',
      'detail.recipients.sms[2]',
      'headers["idempotency-key"]',
      '',
    ]);
  });

  it('says an SMS or fax "to" given as one string must be a list, with an example, and nothing else about it', () => {
    // Act
    const sms = issuesOf(sendSmsRequest, { to: '+16505550102', text: 'Hi' });
    const fax = issuesOf(sendFaxRequest, {
      to: '+16505551102',
      documents: [{ fileName: 'a.txt', content: 'SGk=' }],
    });

    // Assess
    expect(sms).toEqual([{ field: 'to', message: 'must be a list, e.g. ["+16505550102"]' }]);
    expect(fax).toEqual([{ field: 'to', message: 'must be a list, e.g. ["+16505551102"]' }]);
  });

  it('tells a pager recipient given as a phone number to use extensionId or extensionNumber', () => {
    // Act
    const asString = issuesOf(sendPagerRequest, { to: ['+16505550102'], text: 'Hi' });
    const asObject = issuesOf(sendPagerRequest, {
      to: [{ extensionNumber: '102' }, { phoneNumber: '+16505550102' }],
      text: 'Hi',
    });
    const empty = issuesOf(sendPagerRequest, { to: [{}], text: 'Hi' });
    const notAList = issuesOf(sendPagerRequest, { to: '102', text: 'Hi' });

    // Assess
    const phone =
      'is a phone number; a pager message goes to an extension of the account: use {"extensionId": "<id>"} or {"extensionNumber": "<number>"}';
    expect(asString).toEqual([{ field: 'to[0]', message: phone }]);
    expect(asObject).toEqual([{ field: 'to[1]', message: phone }]);
    expect(empty).toEqual([
      {
        field: 'to[0]',
        message: 'must be {"extensionId": "<id>"} or {"extensionNumber": "<number>"}',
      },
    ]);
    expect(notAList).toEqual([
      { field: 'to', message: 'must be a list, e.g. [{"extensionNumber":"102"}]' },
    ]);
  });

  it('says a missing field is required and names the whole value at the top', () => {
    // Prepare
    const schema = z.strictObject({ to: z.array(z.string()), text: z.string() });
    const result = z.safeParse(schema, { to: ['+1'], extra: true });
    if (result.success) throw new Error('expected a failure');

    // Act
    const line = describeIssues(result.error, { whole: '(policy)' });

    // Assess
    expect(line).toBe('text: is required; (policy): Unrecognized key: "extra"');
  });
});
