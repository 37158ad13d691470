import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lib/runtime/metrics.ts';

/** What the operations alarms watch. */
export interface OperationsAlarmsProps {
  /** Functions invoked asynchronously (schedules, rules, the webhook's invokes), by name. */
  asyncFunctions: Record<string, lambda.IFunction>;
  archiveFunction: lambda.IFunction;
  api: apigwv2.IHttpApi;
  table: dynamodb.ITable;
  /** token-refresh's schedule: two missed runs leave the access token close to expiry. */
  tokenRefreshEvery: Duration;
  /** The log group of each function by name, for the runbook lines. */
  logGroupNames: Record<string, string>;
}

const FIVE_MINUTES = Duration.minutes(5);
const GREATER_OR_EQUAL = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

/** One custom metric of one service. */
function serviceMetric(metricName: string, service: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: 'Sum',
    period,
  });
}

/**
 * The alarms an operator is paged for beyond function errors and DLQ depth: archive throttles,
 * async event age and drops, API 5xx and latency, DynamoDB throttles, a session about to expire
 * or a refresh failing, the webhook subscription missing or blacklisted, and a purge deleting far
 * more than usual. Each description is the runbook line: what it means and the first command.
 */
export class OperationsAlarms extends Construct {
  /** Every alarm, by id. */
  readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);
    this.addAsyncAlarms(props);
    this.addApiAlarms(props);
    this.addTableAlarm(props);
    this.addSessionAlarms(props);
    this.addSubscriptionAlarms(props);
    this.addPurgeAlarm(props);
  }

  /** An alarm over one period at or above the threshold, missing data not breaching, unless set. */
  private alarm(
    alarmId: string,
    props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number },
  ): void {
    this.alarms[alarmId] = new cloudwatch.Alarm(this, alarmId, {
      comparisonOperator: GREATER_OR_EQUAL,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
      evaluationPeriods: props.evaluationPeriods ?? 1,
    });
  }

  /** Archive throttled behind its concurrency of 1; async events aging or dropped. */
  private addAsyncAlarms(props: OperationsAlarmsProps): void {
    const archiveLogs = props.logGroupNames.archive ?? 'the archive log group';
    this.alarm('archive-throttles', {
      alarmDescription: `archive is throttled (reserved concurrency 1): webhook bursts queue behind a running archive. Check the run length: aws logs tail ${archiveLogs} --since 1h --filter-pattern '"Archive run"'`,
      metric: props.archiveFunction.metricThrottles({
        period: Duration.minutes(15),
        statistic: 'Sum',
      }),
      threshold: 10,
      evaluationPeriods: 2,
    });
    for (const [name, fn] of Object.entries(props.asyncFunctions)) {
      const logs = props.logGroupNames[name] ?? `the ${name} log group`;
      this.alarm(`${name}-event-age`, {
        alarmDescription: `${name}: asynchronous events wait over 15 minutes (throttled or failing and retried). aws logs tail ${logs} --since 1h --filter-pattern ERROR`,
        metric: fn.metric('AsyncEventAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
        threshold: Duration.minutes(15).toMilliseconds(),
        evaluationPeriods: 2,
      });
      this.alarm(`${name}-events-dropped`, {
        alarmDescription: `${name}: Lambda dropped asynchronous events (too old, or retries exhausted with no destination): that work never ran. Run it by hand: aws lambda invoke --function-name ${fn.functionName} /dev/stdout`,
        metric: fn.metric('AsyncEventsDropped', { period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
      });
    }
  }

  /** 5xx answers of the HTTP API and a slow p99. */
  private addApiAlarms(props: OperationsAlarmsProps): void {
    this.alarm('api-5xx', {
      alarmDescription:
        'The HTTP API answered 5xx (RingCentral failing, a function error or timeout). Callers retry with the same Idempotency-Key; read the access log: integrationError and status per request',
      metric: props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 5,
    });
    this.alarm('api-latency', {
      alarmDescription:
        'The HTTP API p99 latency is over 10 s for 15 minutes: RingCentral is slow or sends wait on its rate limits. Check the dashboard (RingCentral rate limits) and integrationLatency in the access log',
      metric: props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      threshold: 10_000,
      evaluationPeriods: 3,
    });
  }

  private addTableAlarm(props: OperationsAlarmsProps): void {
    this.alarm('table-throttles', {
      alarmDescription:
        'The state table throttled requests (on-demand capacity still ramps on a sudden burst): idempotency and cursors slow down or fail. Check the table metrics ReadThrottleEvents/WriteThrottleEvents by operation',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(reads, 0) + FILL(writes, 0)',
        usingMetrics: {
          reads: props.table.metric('ReadThrottleEvents', {
            period: FIVE_MINUTES,
            statistic: 'Sum',
          }),
          writes: props.table.metric('WriteThrottleEvents', {
            period: FIVE_MINUTES,
            statistic: 'Sum',
          }),
        },
        period: FIVE_MINUTES,
      }),
      threshold: 1,
    });
  }

  /** No successful token-refresh for two runs, or RingCentral refusing the refresh token. */
  private addSessionAlarms(props: OperationsAlarmsProps): void {
    const fn = props.asyncFunctions['token-refresh'];
    if (!fn) return;
    const window = Duration.minutes(props.tokenRefreshEvery.toMinutes() * 2);
    this.alarm('session-expiring', {
      alarmDescription: `No successful token-refresh for ${window.toMinutes()} minutes: the access token is about to expire and every send will fail. Run it: aws lambda invoke --function-name ${fn.functionName} --payload '{"force":true}' --cli-binary-format raw-in-base64-out /dev/stdout (the answer names RingCentral's error)`,
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(invocations, 0) - FILL(errors, 0)',
        usingMetrics: {
          invocations: fn.metricInvocations({ period: window, statistic: 'Sum' }),
          errors: fn.metricErrors({ period: window, statistic: 'Sum' }),
        },
        period: window,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.alarm('refresh-rejected', {
      alarmDescription:
        'RingCentral refused the refresh token and token-refresh logged in with the JWT instead: something else refreshes this session, or the JWT is next. Check that only this deployment uses these credentials',
      metric: serviceMetric('TokenRefreshRejected', 'token-refresh', Duration.hours(1)),
      threshold: 1,
    });
  }

  /** The webhook subscription had to be recreated, or RingCentral blacklisted it. */
  private addSubscriptionAlarms(props: OperationsAlarmsProps): void {
    const keeper = props.asyncFunctions['subscription-keeper'];
    const run = keeper
      ? `aws lambda invoke --function-name ${keeper.functionName} /dev/stdout`
      : 'run subscription-keeper';
    this.alarm('subscription-blacklisted', {
      alarmDescription: `RingCentral blacklisted the webhook subscription (deliveries failed); subscription-keeper replaced it. Check the webhook's errors and the API's 5xx, then: ${run}`,
      metric: serviceMetric('SubscriptionBlacklisted', 'subscription-keeper', Duration.days(1)),
      threshold: 1,
    });
    this.alarm('subscription-missing', {
      alarmDescription: `The webhook subscription was missing and subscription-keeper created one (expected once after the first deploy): notifications between were lost, the scheduled archive covers them. Confirm: ${run}`,
      metric: serviceMetric('SubscriptionCreated', 'subscription-keeper', Duration.days(1)),
      threshold: 1,
    });
  }

  /** A purge deleting far more than it usually does (a retention typo, a clock gone wrong). */
  private addPurgeAlarm(props: OperationsAlarmsProps): void {
    const purgeLogs = props.logGroupNames.purge ?? 'the purge log group';
    this.alarms['purge-unusual'] = new cloudwatch.AnomalyDetectionAlarm(this, 'purge-unusual', {
      alarmDescription: `Purge deleted far more messages than usual. Check retentionDays and the run's report under reports/purge/ in the archive bucket; stop further runs with purgeDryRun=true and a deploy. aws logs tail ${purgeLogs} --since 1d`,
      metric: serviceMetric('PurgeDeleted', 'purge', Duration.days(1)),
      stdDevs: 3,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
