import { describe, expect, it } from 'vitest';
import { callerOf, callerPrincipal } from '../../../lib/runtime/caller.ts';
import { httpApiEvent } from '../../support/events.ts';

describe('callerPrincipal', () => {
  it('is the role for an assumed-role session, in any partition', () => {
    // Prepare
    const sessions = [
      'arn:aws:sts::123456789012:assumed-role/orders/ecs-task-1',
      'arn:aws:sts::123456789012:assumed-role/orders/i-0abc',
      'arn:aws-cn:sts::123456789012:assumed-role/orders/x',
    ];

    // Act
    const principals = sessions.map(callerPrincipal);

    // Assess
    expect(principals).toEqual([
      'arn:aws:sts::123456789012:assumed-role/orders',
      'arn:aws:sts::123456789012:assumed-role/orders',
      'arn:aws-cn:sts::123456789012:assumed-role/orders',
    ]);
  });

  it('is the ARN itself for users, federated users and anything it does not recognise', () => {
    // Prepare
    const arns = [
      'arn:aws:iam::123456789012:user/caller',
      'arn:aws:sts::123456789012:federated-user/alice',
      'arn:aws:iam::123456789012:root',
      'not an arn',
    ];

    // Act
    const principals = arns.map(callerPrincipal);

    // Assess
    expect(principals).toEqual(arns);
  });
});

describe('callerOf', () => {
  it('reads the IAM authorizer of an HTTP API event, and nothing without one', () => {
    // Prepare
    const signed = httpApiEvent({
      path: '/sms',
      iamCaller: 'arn:aws:sts::123456789012:assumed-role/orders/task',
    });
    const anonymous = httpApiEvent({ path: '/sms' });

    // Act
    const callers = [callerOf(signed), callerOf(anonymous)];

    // Assess
    expect(callers).toEqual(['arn:aws:sts::123456789012:assumed-role/orders', undefined]);
  });
});
