import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ExtensionMetric } from '../../lib/extensions/metrics.ts';
import { METRICS_NAMESPACE } from '../../lib/runtime/metrics.ts';

/** What the monitoring watches. */
export interface MonitoringProps {
  /** Functions by name (the Powertools `service` dimension is the same name). */
  functions: Record<string, lambda.IFunction>;
  /** Dead-letter queues by purpose. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Where every alarm goes. */
  topic: sns.ITopic;
  /** The archive function, and how long it may go without a successful run. */
  archiveFunction: lambda.IFunction;
  archiveLag: Duration;
  /** Functions that call RingCentral (their `RingCentral429s` and waits are summed). */
  ringCentralServices: readonly string[];
}

const FIVE_MINUTES = Duration.minutes(5);

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
  private readonly alarmAction: actions.SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmAction = new actions.SnsAction(props.topic);
    // In this order: the alarm rule and the dashboard list the alarms as they were added.
    this.addFunctionAlarms(props);
    this.addDeadLetterAlarms(props);
    this.addSchedulerAlarm();
    this.addRateLimitAlarm(props);
    this.addArchiveAlarms(props);
    this.addExtensionConfigurationAlarm();
    this.dashboard = this.createDashboard(props);
  }

  private add(alarmId: string, alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(this.alarmAction);
    this.alarms[alarmId] = alarm;
  }

  /** Any error of a function. */
  private addFunctionAlarms(props: MonitoringProps): void {
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(
        `${name}-errors`,
        new cloudwatch.Alarm(this, `${name}Errors`, {
          alarmDescription: `${name} failed (function errors in 5 minutes)`,
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
          alarmDescription: `Events are waiting in the ${name} dead-letter queue`,
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
        alarmDescription: 'EventBridge Scheduler could not invoke a target or reach its DLQ',
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

  /** Any 429 from RingCentral to a function that calls it. */
  private addRateLimitAlarm(props: MonitoringProps): void {
    const rateLimited = sumOfServices('RingCentral429s', props.ringCentralServices, 'Sum');
    this.add(
      'ringcentral-429s',
      new cloudwatch.Alarm(this, 'RingCentral429s', {
        alarmDescription:
          'RingCentral answered 429: the pacing is off or another app shares the budget',
        metric: rateLimited,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** The archive falling behind, or not completing runs. */
  private addArchiveAlarms(props: MonitoringProps): void {
    const fn = props.archiveFunction;
    this.add(
      'archive-lag',
      new cloudwatch.Alarm(this, 'ArchiveLag', {
        alarmDescription: `The archive cursor is more than ${props.archiveLag.toMinutes()} minutes behind`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'CursorLagSeconds',
          dimensionsMap: { service: 'archive' },
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
        alarmDescription: `No successful archive run for ${props.archiveLag.toMinutes()} minutes`,
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
        // No data means no run at all: that is lag too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
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
