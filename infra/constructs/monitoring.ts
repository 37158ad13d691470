import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  PERMISSION_ERRORS_METRIC,
  READ_MESSAGES_PERMISSION,
} from '../../lib/archive/extension-batch.ts';
import { CompletenessMetric } from '../../lib/extensions/completeness.ts';
import { ExtensionMetric } from '../../lib/extensions/metrics.ts';
import { METRICS_NAMESPACE } from '../../lib/runtime/metrics.ts';
import { OperationsAlarms, type OperationsAlarmsProps } from './operations-alarms.ts';

/** What the monitoring watches. */
export interface MonitoringProps {
  /** Functions by name (the Powertools `service` dimension is the same name). */
  functions: Record<string, lambda.IFunction>;
  /** Dead-letter queues by purpose. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Where every alarm goes. */
  topics: readonly sns.ITopic[];
  /** The archive dispatcher, and how far behind any extension's archive may fall. */
  dispatchFunction: lambda.IFunction;
  archiveLag: Duration;
  /** Functions that call RingCentral (their `RingCentral429s` and waits are summed). */
  ringCentralServices: readonly string[];
  /** What the operations alarms watch (infra/constructs/operations-alarms.ts). */
  operations: OperationsAlarmsProps;
}

/**
 * The runbook line of each dead-letter queue: what its messages are and how to run them again.
 * `<url>` is the queue's URL.
 */
const DEAD_LETTER_RUNBOOK: Record<string, string> = {
  'failed-invocations':
    "Async invocations failed after their retries; each message is Lambda's record (requestContext.functionArn, requestPayload, the error). Read: aws sqs receive-message --queue-url <url> --max-number-of-messages 10. Fix the cause, re-run each: aws lambda invoke --function-name <functionArn> --invocation-type Event --cli-binary-format raw-in-base64-out --payload '<requestPayload>' /dev/null, then delete it",
  'undelivered-schedules':
    "EventBridge Scheduler could not invoke a job (its role or the function); each message is the schedule's payload. Read: aws sqs receive-message --queue-url <url>; run the job by hand with aws lambda invoke, then delete the message",
  'undelivered-events':
    "Alert events or alarm notifications did not reach the alert function (or message-store changes did not reach message-status: delete those, its next poll reads the same messages). Read: aws sqs receive-message --queue-url <url>; re-send each alert body with aws lambda invoke --function-name <alert function> --invocation-type Event --payload '<body>', then delete it",
  'undelivered-alarms':
    'SNS could not deliver alarm emails (a bounced or full mailbox, or an unconfirmed address): check alarmEmails and the subscriptions (aws sns list-subscriptions-by-topic). Read: aws sqs receive-message --queue-url <url>',
};

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What every alarm name of the stack `stackName` starts with: the stack name and a dot, which no
 * stack name holds, so `Prod.` never matches the alarms of a stack `Prod-staging`. The alarm rule
 * matches this prefix instead of listing every alarm's ARN: an event pattern is limited to 2,048
 * characters (EventBridge quotas, "Event pattern size"), and ~60 ARNs of ~110 characters each
 * are three times that.
 */
export function alarmNamePrefix(stackName: string): string {
  return `${stackName}.`;
}
/** CloudWatch's limit on the metrics of one alarm's math expression. */
const MAX_METRICS_PER_ALARM = 10;

/**
 * Alarms (function errors, DLQ depth, scheduler failures, RingCentral 429s, archive lag) to one
 * SNS topic, and a dashboard of sends, archive progress and bytes, purges, rate-limit waits and
 * errors. Custom metrics come from Powertools EMF (namespace RingCentralMessageAutomation,
 * dimension `service`).
 */
export class Monitoring extends Construct {
  /** Every alarm, by id. */
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;

  /** Where every alarm goes. */
  private readonly alarmActions: actions.SnsAction[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmActions = props.topics.map((topic) => new actions.SnsAction(topic));
    // In this order: the alarm rule and the dashboard list the alarms as they were added.
    this.addFunctionAlarms(props);
    this.addDeadLetterAlarms(props);
    this.addSchedulerAlarm();
    this.addRateLimitAlarm(props);
    this.addArchiveAlarms(props);
    this.addExtensionConfigurationAlarm();
    this.addOperationsAlarms(props);
    this.addReconciliationAlarms();
    this.dashboard = this.createDashboard(props);
  }

  /**
   * The alarm DEPLOY.md sets to ALARM by hand to prove delivery: scheduler failures, whose
   * missing data is not breaching, so it returns to OK by itself at its next evaluation.
   */
  get testAlarm(): cloudwatch.Alarm {
    const alarm = this.alarms['scheduler-failures'];
    if (!alarm) throw new Error('the scheduler-failures alarm is created in the constructor');
    return alarm;
  }

  private add(alarmId: string, alarm: cloudwatch.Alarm): void {
    // Named here, for every alarm at once: the alarm rule matches the names' prefix.
    (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName =
      `${alarmNamePrefix(Stack.of(this).stackName)}${alarmId}`;
    alarm.addAlarmAction(...this.alarmActions);
    this.alarms[alarmId] = alarm;
  }

  /** Any error of a function. */
  private addFunctionAlarms(props: MonitoringProps): void {
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(
        `${name}-errors`,
        new cloudwatch.Alarm(this, `${name}Errors`, {
          alarmDescription: `${name} failed (function errors in 5 minutes). Read why: aws logs tail ${props.operations.logGroupNames[name] ?? `/aws/lambda/${fn.functionName}`} --since 1h --filter-pattern ERROR`,
          metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  /** Anything waiting in a dead-letter queue. */
  private addDeadLetterAlarms(props: MonitoringProps): void {
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(
        `${name}-dlq`,
        new cloudwatch.Alarm(this, `${name}DeadLetters`, {
          alarmDescription: `Messages wait in the ${name} dead-letter queue. ${(
            DEAD_LETTER_RUNBOOK[name] ?? 'Read: aws sqs receive-message --queue-url <url>'
          ).replaceAll('<url>', queue.queueUrl)}`,
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: FIVE_MINUTES,
            statistic: 'Maximum',
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  /** The scheduler could not invoke a target or reach its DLQ. */
  private addSchedulerAlarm(): void {
    this.add(
      'scheduler-failures',
      new cloudwatch.Alarm(this, 'SchedulerFailures', {
        alarmDescription:
          "EventBridge Scheduler could not invoke a target or reach its DLQ: a job did not run. Check the schedules' state and roles (aws scheduler list-schedules) and the undelivered-schedules queue; run the job by hand with aws lambda invoke",
        metric: new cloudwatch.MathExpression({
          expression: 'errors + undelivered',
          usingMetrics: {
            errors: scheduler.Schedule.metricAllErrors({ period: FIVE_MINUTES }),
            undelivered: scheduler.Schedule.metricAllFailedToBeSentToDLQ(undefined, {
              period: FIVE_MINUTES,
            }),
          },
          period: FIVE_MINUTES,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * Any 429 from RingCentral to a function that calls it: one alarm per 10 functions, the most
   * metrics one alarm's math expression may hold (`ringcentral-429s`, then `ringcentral-429s-2`).
   */
  private addRateLimitAlarm(props: MonitoringProps): void {
    const services = props.ringCentralServices;
    for (let start = 0; start < services.length; start += MAX_METRICS_PER_ALARM) {
      const part = start / MAX_METRICS_PER_ALARM + 1;
      const suffix = part === 1 ? '' : `-${part}`;
      const rateLimited = sumOfServices(
        'RingCentral429s',
        services.slice(start, start + MAX_METRICS_PER_ALARM),
        'Sum',
      );
      this.add(
        `ringcentral-429s${suffix}`,
        new cloudwatch.Alarm(this, `RingCentral429s${suffix.replace('-', '')}`, {
          alarmDescription:
            'RingCentral answered 429: the pacing is off or another app shares the budget. Check the dashboard (RingCentral rate limits) for which function, and whether other apps use the same user',
          metric: rateLimited,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }

  /**
   * The archive falling behind: the oldest complete archive over EVERY archived extension (the
   * dispatcher's metric; its `Archive Behind` event names them), no successful dispatch, or
   * RingCentral refusing the service user an extension's messages.
   */
  private addArchiveAlarms(props: MonitoringProps): void {
    const fn = props.dispatchFunction;
    const minutes = props.archiveLag.toMinutes();
    this.add(
      'archive-lag',
      new cloudwatch.Alarm(this, 'ArchiveLag', {
        alarmDescription: `The oldest complete archive of an archived extension is more than ${minutes} minutes old; the Archive Behind event names the extensions. Check the archive errors and throttles: aws logs tail ${props.operations.logGroupNames.archive ?? '/aws/lambda/<archive>'} --since 2h`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: CompletenessMetric.oldestCompleteArchiveAge,
          dimensionsMap: { service: 'archive-dispatch' },
          statistic: 'Maximum',
          period: Duration.minutes(15),
        }),
        threshold: props.archiveLag.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.add(
      'archive-stalled',
      new cloudwatch.Alarm(this, 'ArchiveStalled', {
        alarmDescription: `No successful archive dispatch for ${minutes} minutes: nothing new reaches S3. Check the dispatcher's schedule and errors; run it: aws lambda invoke --function-name ${fn.functionName} --invocation-type Event /dev/null`,
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(invocations, 0) - FILL(errors, 0)',
          usingMetrics: {
            invocations: fn.metricInvocations({ period: props.archiveLag, statistic: 'Sum' }),
            errors: fn.metricErrors({ period: props.archiveLag, statistic: 'Sum' }),
          },
          period: props.archiveLag,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data means no dispatch at all: that is lag too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    this.add(
      'archive-permissions',
      new cloudwatch.Alarm(this, 'ArchivePermissionErrors', {
        alarmDescription: `RingCentral refused the service user an extension's messages: grant the user permission ${READ_MESSAGES_PERMISSION} for every extension (an account-wide admin role); the archive function log names the extension and the permission`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: PERMISSION_ERRORS_METRIC,
          dimensionsMap: { service: 'archive' },
          statistic: 'Maximum',
          period: Duration.minutes(15),
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * The service user may not list or read the account's extensions: nothing but the token's own
   * mailbox can be archived until an administrator grants the permission the log line names.
   */
  private addExtensionConfigurationAlarm(): void {
    this.add(
      'extension-configuration',
      new cloudwatch.Alarm(this, 'ExtensionConfigurationErrors', {
        alarmDescription:
          'The RingCentral service user may not list or read the account extensions: grant the app permission ReadAccounts and the user ReadExtensions (an account-wide admin role); the extensions function log names the missing one',
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: ExtensionMetric.configurationErrors,
          dimensionsMap: { service: 'extensions' },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** What an operator is paged for beyond errors and DLQs (each with its runbook line). */
  private addOperationsAlarms(props: MonitoringProps): void {
    const operations = new OperationsAlarms(this, 'Operations', props.operations);
    for (const [alarmId, alarm] of Object.entries(operations.alarms)) this.add(alarmId, alarm);
  }

  /**
   * The daily reconciliation found messages RingCentral lists that the archive lacks, or an
   * extension whose unarchived messages near RingCentral's eviction caps: both name the
   * extensions in the reconcile log and the day's report.
   */
  private addReconciliationAlarms(): void {
    const alarm = (id: string, metricName: string, description: string, statistic: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName,
          dimensionsMap: { service: 'reconcile' },
          statistic,
          period: Duration.days(1),
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.add(
      'reconciliation-missing',
      alarm(
        'ReconciliationMissingMessages',
        'ReconciliationMissingMessages',
        'RingCentral lists messages the archive lacks: the reconcile log ("Messages missing from the archive") names the extensions; the day report under reports/reconciliation/ lists the ids; run archive for them and reconcile the day again',
        'Sum',
      ),
    );
    this.add(
      'near-eviction',
      alarm(
        'ExtensionsNearEviction',
        'ExtensionsNearEviction',
        'Extensions hold unarchived messages close to RingCentral eviction caps (200 fax/voicemail, 5,000 SMS, 30 days on HIPAA accounts): the reconcile log ("Unarchived messages close to eviction") names them: read it and archive those extensions first',
        'Maximum',
      ),
    );
  }

  /** Sends, archive progress and bytes, purges, rate-limit waits, errors, alarm states. */
  private createDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
    });
    dashboard.addWidgets(
      sendsWidget(),
      archiveWidget(),
      purgesWidget(),
      rateLimitWidget(props.ringCentralServices),
      errorsWidget(props),
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: Object.values(this.alarms),
        width: 24,
      }),
    );
    return dashboard;
  }
}

/** One custom metric of one service, labelled with both. */
function serviceMetric(metricName: string, service: string, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic,
    period: FIVE_MINUTES,
    label: `${service} ${metricName}`,
  });
}

function sendsWidget(): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Sends',
    left: [
      serviceMetric('SmsSent', 'send-sms'),
      serviceMetric('PagerSent', 'send-pager'),
      serviceMetric('FaxSent', 'send-fax'),
      serviceMetric('AlertSmsSent', 'alert'),
      serviceMetric('AlertPagerSent', 'alert'),
    ],
    width: 12,
  });
}

function archiveWidget(): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Archive progress',
    left: [
      serviceMetric('ArchivedMessages', 'archive'),
      serviceMetric('SkippedAttachments', 'archive'),
      serviceMetric('ArchiveFailures', 'archive'),
    ],
    right: [
      serviceMetric('ArchivedBytes', 'archive'),
      serviceMetric('CursorLagSeconds', 'archive', 'Maximum'),
    ],
    width: 12,
  });
}

function purgesWidget(): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Purges',
    left: [
      serviceMetric('PurgeCandidates', 'purge'),
      serviceMetric('PurgeVerified', 'purge'),
      serviceMetric('PurgeDeleted', 'purge'),
      serviceMetric('PurgeSkipped', 'purge'),
      serviceMetric('PurgeFailed', 'purge'),
    ],
    width: 12,
  });
}

function rateLimitWidget(ringCentralServices: readonly string[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'RingCentral rate limits',
    left: [
      sumOfServices('RateLimitWaits', ringCentralServices, 'Sum', 'waits'),
      sumOfServices('RingCentral429s', ringCentralServices, 'Sum', '429s'),
    ],
    right: [sumOfServices('RateLimitWaitTime', ringCentralServices, 'Sum', 'wait time (ms)')],
    width: 12,
  });
}

/** Errors of every function, and the depth of every dead-letter queue. */
function errorsWidget(props: MonitoringProps): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title: 'Errors',
    left: Object.entries(props.functions).map(([name, fn]) =>
      fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name }),
    ),
    right: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, label: name }),
    ),
    width: 24,
  });
}

/** The sum of one custom metric over several services (one `service` dimension each). */
function sumOfServices(
  metricName: string,
  services: readonly string[],
  statistic: string,
  label = metricName,
): cloudwatch.MathExpression {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  services.forEach((service, index) => {
    usingMetrics[`${metricName.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}${index}`] =
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        period: FIVE_MINUTES,
      });
  });
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((key) => `FILL(${key}, 0)`)
      .join(' + '),
    usingMetrics,
    label,
    period: FIVE_MINUTES,
  });
}
