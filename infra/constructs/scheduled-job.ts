import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionConstructId, type MessageFunction } from './message-function.ts';

/** Settings of one schedule. */
export interface ScheduledJobProps {
  /** The function the schedule invokes (asynchronously, as EventBridge Scheduler does). */
  function: lambda.IFunction;
  /** `rate(...)` or `cron(...)`, validated by infra/config.ts. */
  expression: string;
  description: string;
  /** Where the scheduler puts invocations it could not deliver after its retries. */
  deadLetterQueue: sqs.IQueue;
  /** A run that waited longer than this is dropped: the next one does the same work. */
  maxEventAge: Duration;
  retryAttempts: number;
}

/** An EventBridge Scheduler schedule invoking one function with retries and a DLQ. */
export class ScheduledJob extends Construct {
  /** The schedule. */
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(props.expression),
      description: props.description,
      timeWindow: scheduler.TimeWindow.off(),
      target: new targets.LambdaInvoke(props.function, {
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: props.retryAttempts,
        maxEventAge: props.maxEventAge,
        input: scheduler.ScheduleTargetInput.fromObject({ source: 'schedule' }),
      }),
    });
  }
}

/**
 * The schedule of one of functions/: construct id `<Function>Schedule`, described by the
 * function's name, two retries.
 */
export function scheduleFunction(
  scope: Construct,
  made: MessageFunction,
  props: Pick<ScheduledJobProps, 'expression' | 'deadLetterQueue' | 'maxEventAge'>,
): ScheduledJob {
  return new ScheduledJob(scope, `${functionConstructId(made.name)}Schedule`, {
    function: made.function,
    description: `Runs ${made.name}`,
    retryAttempts: 2,
    ...props,
  });
}
