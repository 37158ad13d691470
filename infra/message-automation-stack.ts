import { existsSync } from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { ARCHIVE_PREFIX, PURGE_REPORT_PREFIX } from '../lib/archive/layout.ts';
import { type InfraConfig, type InfraConfigInput, readInfraConfig } from './config.ts';
import { ArchiveBucket } from './constructs/archive-bucket.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import {
  MessageFunction,
  type MessageFunctionProps,
  PROJECT_ROOT,
} from './constructs/message-function.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { OperationsKey } from './constructs/operations-key.ts';
import { FUNCTION_NAMES, type FunctionName } from './function-names.ts';

export { FUNCTION_NAMES, type FunctionName };

import { ScheduledJob } from './constructs/scheduled-job.ts';
import { SendApi } from './constructs/send-api.ts';
import { acknowledgeFindings } from './nag-acknowledgements.ts';

/** Every archived object's key matches this (lib/archive/layout.ts). */
const ARCHIVE_PREFIX_PATTERN = `${ARCHIVE_PREFIX}*`;

/** Props of the stack: any configuration key given here overrides context. */
export interface MessageAutomationStackProps extends StackProps {
  config?: Partial<InfraConfigInput>;
}

/** Whether a function's source exists (archive and purge arrive with their own issue). */
function hasSource(name: FunctionName): boolean {
  return existsSync(`${PROJECT_ROOT}functions/${name}.ts`);
}

const CREDENTIALS_SHAPE =
  'RingCentral app credentials, JSON: {"clientId": "...", "clientSecret": "...", "jwt": "<JWT of the user the app acts as>", "server": "https://platform.ringcentral.com", "mediaServer": "https://media.ringcentral.com" (optional)}';

/**
 * The whole deployment: functions, HTTP API, schedules, archive bucket, state table, secrets,
 * event bus, alarms and dashboard. Configuration is read and validated at construction
 * (infra/config.ts), so a bad value fails synth with the key and value named.
 */
export class MessageAutomationStack extends Stack {
  /** The validated configuration. */
  readonly config: InfraConfig;
  /** Every function, by name. */
  readonly functions: Partial<Record<FunctionName, MessageFunction>> = {};
  readonly table: dynamodb.Table;
  readonly archive: ArchiveBucket;
  readonly credentialsSecret: secretsmanager.ISecret;
  /** The credentials secret's ARN as IAM policies name it. */
  readonly credentialsPolicyArn: string;
  readonly sessionSecret: secretsmanager.Secret;
  readonly webhookSecret: secretsmanager.Secret;
  readonly bus: events.EventBus;
  readonly alarmTopic: sns.Topic;
  /** Encrypts the log groups and the alarm topic. */
  readonly operationsKey: kms.Key;
  readonly api: SendApi;
  readonly monitoring: Monitoring;
  /** Dead-letter queues: failed async invocations, undeliverable schedules and rule events. */
  readonly deadLetters: {
    functions: DeadLetterQueue;
    schedules: DeadLetterQueue;
    events: DeadLetterQueue;
  };
  readonly schedules: Partial<Record<FunctionName, ScheduledJob>> = {};
  /** Invokes token-refresh with `{ "force": true }` at deploy. */
  readonly refreshAtDeploy: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: MessageAutomationStackProps = {}) {
    super(scope, id, props);
    const config = readInfraConfig(this.node, props.config);
    this.config = config;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    // --- state, secrets, archive -----------------------------------------------------------
    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.credentialsSecret = config.credentialsSecretName
      ? secretsmanager.Secret.fromSecretNameV2(this, 'Credentials', config.credentialsSecretName)
      : new secretsmanager.Secret(this, 'Credentials', {
          description: CREDENTIALS_SHAPE,
          // A template of the shape; the user replaces the values before the first send.
          generateSecretString: {
            secretStringTemplate: JSON.stringify({
              clientId: 'REPLACE_ME',
              jwt: 'REPLACE_ME',
              server: 'https://platform.ringcentral.com',
            }),
            generateStringKey: 'clientSecret',
          },
          removalPolicy: RemovalPolicy.RETAIN,
        });
    this.sessionSecret = new secretsmanager.Secret(this, 'Session', {
      description:
        'RingCentral session written by token-refresh only: {"accessToken","refreshToken","expiresAt","refreshExpiresAt"}',
      // A placeholder without accessToken: readers treat it as "not written yet".
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder' },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookToken', {
      description:
        'Verification token of the RingCentral webhook subscription: {"verificationToken"}',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'verificationToken',
        excludePunctuation: true,
        passwordLength: 40,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const archiveKey = config.kmsKeyArn
      ? kms.Key.fromKeyArn(this, 'ArchiveKey', config.kmsKeyArn)
      : undefined;
    this.archive = new ArchiveBucket(this, 'ArchiveStore', {
      ...(archiveKey ? { encryptionKey: archiveKey } : {}),
      ...(config.objectLock.enabled
        ? { objectLockRetentionDays: config.objectLock.retentionDays }
        : {}),
      infrequentAccessAfterDays: config.archiveTransitions.infrequentAccessDays,
      glacierAfterDays: config.archiveTransitions.glacierDays,
      accessLogDays: config.logRetentionDays,
    });

    this.bus = new events.EventBus(this, 'Bus', {
      description: 'Alerts and message events of the RingCentral message automation',
    });

    this.operationsKey = new OperationsKey(this, 'OperationsKey').key;
    // Alarms reach people through SNS; the key lets CloudWatch publish to the encrypted topic.
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'RingCentral message automation alarms',
      masterKey: this.operationsKey,
      enforceSSL: true,
    });
    for (const email of config.alarmEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.deadLetters = {
      functions: new DeadLetterQueue(this, 'FailedInvocations'),
      schedules: new DeadLetterQueue(this, 'UndeliveredSchedules'),
      events: new DeadLetterQueue(this, 'UndeliveredEvents'),
    };
    const failedInvocations = this.deadLetters.functions.queue;

    // --- functions ---------------------------------------------------------------------------
    // An imported secret is known by name: its ARN ends in a random suffix IAM must match.
    const credentialsId = config.credentialsSecretName ?? this.credentialsSecret.secretArn;
    this.credentialsPolicyArn = config.credentialsSecretName
      ? `${this.credentialsSecret.secretArn}-??????`
      : this.credentialsSecret.secretArn;
    const secretIds = {
      STATE_TABLE_NAME: this.table.tableName,
      CREDENTIALS_SECRET_ID: credentialsId,
      SESSION_SECRET_ID: this.sessionSecret.secretArn,
    };
    const make = (
      name: FunctionName,
      settings: Omit<MessageFunctionProps, 'name' | 'logRetention' | 'logKey'>,
    ): MessageFunction => {
      const made = new MessageFunction(this, pascal(name), {
        name,
        logRetention,
        logKey: this.operationsKey,
        ...settings,
      });
      this.functions[name] = made;
      return made;
    };

    const sendSms = make('send-sms', {
      description: 'POST /sms: send one SMS per Idempotency-Key',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { ...secretIds, SMS_FROM: config.smsFrom },
    });
    const sendPager = make('send-pager', {
      description: 'POST /pager: send one pager message per Idempotency-Key',
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: secretIds,
    });
    const sendFax = make('send-fax', {
      description: 'POST /fax: send one fax per Idempotency-Key, documents streamed from S3',
      timeout: Duration.seconds(30),
      memorySize: 512,
      environment: { ...secretIds, FAX_DOCUMENT_BUCKETS: config.faxDocumentBuckets.join(',') },
    });
    const tokenRefresh = make('token-refresh', {
      description: 'The only caller of RingCentral OAuth: keeps the session secret fresh',
      timeout: Duration.seconds(60),
      memorySize: 256,
      reservedConcurrentExecutions: 1,
      onFailure: failedInvocations,
      retryAttempts: 2,
      environment: {
        ...secretIds,
        REFRESH_SCHEDULE_MINUTES: String(config.schedules.tokenRefreshMinutes),
      },
    });
    const alert = make('alert', {
      description: 'Renders alerts and alarms into SMS and pager messages',
      timeout: Duration.seconds(60),
      memorySize: 256,
      onFailure: failedInvocations,
      retryAttempts: 2,
      environment: {
        ...secretIds,
        SMS_FROM: config.smsFrom,
        ALERT_RECIPIENTS: JSON.stringify(config.alertRecipients),
        ALERT_TEMPLATES: JSON.stringify(config.alertTemplates),
        ...(config.alertPagerFrom ? { ALERT_PAGER_FROM: config.alertPagerFrom } : {}),
      },
    });
    // Archive and purge read the same start date: purge can only prove what archive synced.
    const startDate: Record<string, string> = config.archiveStartDate
      ? { ARCHIVE_START_DATE: config.archiveStartDate }
      : {};
    const archive = hasSource('archive')
      ? make('archive', {
          description: 'Archives new and changed messages and their attachments to S3',
          timeout: Duration.minutes(14),
          memorySize: 1024,
          reservedConcurrentExecutions: 1,
          onFailure: failedInvocations,
          retryAttempts: 1,
          environment: {
            ...secretIds,
            ARCHIVE_BUCKET_NAME: this.archive.bucket.bucketName,
            ARCHIVE_EXTENSIONS: config.extensions.join(','),
            ...startDate,
          },
        })
      : undefined;
    const purge = hasSource('purge')
      ? make('purge', {
          description: 'Deletes messages older than their retention once proven archived',
          timeout: Duration.minutes(15),
          memorySize: 512,
          onFailure: failedInvocations,
          retryAttempts: 0,
          environment: {
            ...secretIds,
            ARCHIVE_BUCKET_NAME: this.archive.bucket.bucketName,
            ARCHIVE_EXTENSIONS: config.extensions.join(','),
            PURGE_RETENTION_DAYS: JSON.stringify(config.retentionDays),
            PURGE_DRY_RUN: String(config.purgeDryRun),
            PURGE_HARD: String(config.purgeHard),
            ...startDate,
          },
        })
      : undefined;
    const webhook = make('webhook', {
      description: "POST /webhook: RingCentral's notifications to events and archive runs",
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: {
        WEBHOOK_SECRET_ID: this.webhookSecret.secretArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        WEBHOOK_INCLUDE_TEXT: String(config.webhookIncludeText),
        ...(archive ? { ARCHIVE_FUNCTION_NAME: archive.function.functionName } : {}),
      },
    });

    this.api = new SendApi(this, 'Http', {
      signedRoutes: {
        '/sms': sendSms.function,
        '/fax': sendFax.function,
        '/pager': sendPager.function,
      },
      publicRoutes: { '/webhook': webhook.function },
      allowedCallers: config.allowedCallers,
      throttle: config.apiThrottle,
      logRetention,
      logKey: this.operationsKey,
    });
    const webhookUrl = config.webhookUrl ?? `${this.api.url}/webhook`;
    const subscriptionKeeper = make('subscription-keeper', {
      description: 'Keeps the RingCentral webhook subscription alive',
      timeout: Duration.seconds(60),
      memorySize: 256,
      onFailure: failedInvocations,
      retryAttempts: 2,
      environment: {
        CREDENTIALS_SECRET_ID: credentialsId,
        SESSION_SECRET_ID: this.sessionSecret.secretArn,
        WEBHOOK_SECRET_ID: this.webhookSecret.secretArn,
        WEBHOOK_URL: webhookUrl,
        SUBSCRIPTION_EVENT_FILTERS: subscriptionEventFilters(config).join(','),
      },
    });

    // --- least privilege: each function gets exactly the calls lib/aws makes for it ---------
    const credentials = this.credentialsPolicyArn;
    const session = this.sessionSecret.secretArn;
    const readSecrets = (fn: MessageFunction, arns: string[]) =>
      allow(fn, ['secretsmanager:GetSecretValue'], arns);
    const idempotencyActions = [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ];
    for (const fn of [sendSms, sendPager, sendFax, alert]) {
      readSecrets(fn, [credentials, session]);
      allow(fn, idempotencyActions, [this.table.tableArn]);
    }
    if (config.faxDocumentBuckets.length > 0) {
      // HeadObject is authorised by s3:GetObject.
      allow(
        sendFax,
        ['s3:GetObject'],
        config.faxDocumentBuckets.map((bucket) => `arn:${this.partition}:s3:::${bucket}/*`),
      );
    }
    readSecrets(tokenRefresh, [credentials, session]);
    allow(tokenRefresh, ['secretsmanager:PutSecretValue'], [session]);
    // The refresh lease: a conditional put to take it, a conditional delete to release it.
    allow(tokenRefresh, ['dynamodb:PutItem', 'dynamodb:DeleteItem'], [this.table.tableArn]);
    readSecrets(subscriptionKeeper, [credentials, session, this.webhookSecret.secretArn]);
    readSecrets(webhook, [this.webhookSecret.secretArn]);
    allow(webhook, ['events:PutEvents'], [this.bus.eventBusArn]);
    // HeadObject and GetObject of a missing key answer 404 only to a caller that may list the
    // bucket; without it S3 answers 403, which the object store (rightly) does not take for
    // "absent". Archive and purge both ask for keys that may not exist yet, under archive/. S3
    // checks that ListBucket with the requested key as s3:prefix, so the condition covers them
    // (Ceph's gateway adopted the same rule to match S3; not yet checked on AWS itself).
    const listArchive = (fn: MessageFunction) =>
      fn.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.archive.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [ARCHIVE_PREFIX_PATTERN] } },
        }),
      );
    if (archive) {
      allow(webhook, ['lambda:InvokeFunction'], [archive.function.functionArn]);
      readSecrets(archive, [credentials, session]);
      // The sync cursor: read, then a conditional write; locators: read one by one.
      allow(archive, ['dynamodb:GetItem', 'dynamodb:PutItem'], [this.table.tableArn]);
      // Locators: written in batches (lib/aws/locator-store.ts), only under their own keys.
      archive.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:BatchWriteItem'],
          resources: [this.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['locator#*'] } },
        }),
      );
      // lib/aws/s3-object-store.ts: GetObject covers HeadObject, reads of manifests and the
      // digest of a stored object; PutObject covers PutObject and multipart
      // create/upload-part/complete; abort cleans up a failed multipart upload.
      allow(
        archive,
        ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        [this.archive.bucket.arnForObjects(ARCHIVE_PREFIX_PATTERN)],
      );
      listArchive(archive);
      if (archiveKey) {
        allow(archive, ['kms:Decrypt', 'kms:GenerateDataKey'], [archiveKey.keyArn]);
      }
    }
    if (purge) {
      readSecrets(purge, [credentials, session]);
      // Purge only reads the archive cursors (never moves them).
      allow(purge, ['dynamodb:GetItem'], [this.table.tableArn]);
      // Verification reads (HeadObject is authorised by GetObject); never a write under archive/.
      allow(purge, ['s3:GetObject'], [this.archive.bucket.arnForObjects(ARCHIVE_PREFIX_PATTERN)]);
      listArchive(purge);
      // The run report goes through the same object store as the archive: a PutObject, or a
      // multipart upload (aborted on failure) for a body of unknown length. Purge never reads it.
      allow(
        purge,
        ['s3:PutObject', 's3:AbortMultipartUpload'],
        [this.archive.bucket.arnForObjects(`${PURGE_REPORT_PREFIX}*`)],
      );
      if (archiveKey) {
        allow(purge, ['kms:Decrypt', 'kms:GenerateDataKey'], [archiveKey.keyArn]);
      }
    }

    // --- schedules -------------------------------------------------------------------------
    const scheduleDlq = this.deadLetters.schedules.queue;
    const job = (name: FunctionName, fn: MessageFunction, expression: string, age: Duration) => {
      this.schedules[name] = new ScheduledJob(this, `${pascal(name)}Schedule`, {
        function: fn.function,
        expression,
        description: `Runs ${name}`,
        deadLetterQueue: scheduleDlq,
        retryAttempts: 2,
        maxEventAge: age,
      });
    };
    job(
      'token-refresh',
      tokenRefresh,
      `rate(${config.schedules.tokenRefreshMinutes} minutes)`,
      Duration.minutes(5),
    );
    if (archive) job('archive', archive, config.schedules.archive, Duration.minutes(10));
    if (purge) job('purge', purge, config.schedules.purge, Duration.hours(2));
    job(
      'subscription-keeper',
      subscriptionKeeper,
      config.schedules.subscriptionKeeper,
      Duration.hours(2),
    );

    // token-refresh at deploy, forced, so the first send after a deploy has a session.
    const refreshAtDeploy = new cr.AwsCustomResource(this, 'RefreshTokenAtDeploy', {
      onCreate: forcedRefresh(tokenRefresh),
      onUpdate: forcedRefresh(tokenRefresh),
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [tokenRefresh.function.functionArn],
        }),
      ]),
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
    });
    refreshAtDeploy.node.addDependency(tokenRefresh);

    // --- events and alarms -----------------------------------------------------------------
    const eventDlq = this.deadLetters.events.queue;
    const alertTarget = new eventTargets.LambdaFunction(alert.function, {
      deadLetterQueue: eventDlq,
      retryAttempts: 4,
      maxEventAge: Duration.hours(1),
    });
    new events.Rule(this, 'AlertEvents', {
      eventBus: this.bus,
      description: 'Alert events of the project bus to the alert function',
      eventPattern: { detailType: ['Alert'] },
      targets: [alertTarget],
    });

    const ringCentralServices = FUNCTION_NAMES.filter(
      (name) => name !== 'webhook' && this.functions[name] !== undefined,
    );
    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: Object.fromEntries(
        Object.entries(this.functions).map(([name, made]) => [name, made.function]),
      ),
      deadLetterQueues: {
        'failed-invocations': failedInvocations,
        'undelivered-schedules': scheduleDlq,
        'undelivered-events': eventDlq,
      },
      topic: this.alarmTopic,
      ...(archive ? { archiveFunction: archive.function } : {}),
      archiveLag: Duration.minutes(config.archiveLagAlarmMinutes),
      ringCentralServices,
    });
    // Alarms also go out as SMS/pager through the alert function (its own errors only by SNS,
    // so a broken alert function cannot feed itself).
    const alarmArns = Object.entries(this.monitoring.alarms)
      .filter(([alarmId]) => alarmId !== 'alert-errors')
      .map(([, alarm]) => alarm.alarmArn);
    new events.Rule(this, 'AlarmEvents', {
      description: "This stack's alarms entering ALARM to the alert function",
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: alarmArns,
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [alertTarget],
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'WebhookUrl', { value: webhookUrl });
    new CfnOutput(this, 'CredentialsSecretArn', { value: this.credentialsSecret.secretArn });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archive.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });

    this.refreshAtDeploy = refreshAtDeploy;
    acknowledgeFindings(this);
  }
}

/**
 * The webhook subscription's event filters: the message store of every archived extension (its
 * notifications carry the new message ids the webhook hands to archive), and, when the webhook
 * puts SMS text into its events, the instant SMS filter of each, the only one carrying the text.
 */
export function subscriptionEventFilters(
  config: Pick<InfraConfig, 'extensions' | 'webhookIncludeText'>,
): string[] {
  const stores = config.extensions.map(
    (extension) => `/restapi/v1.0/account/~/extension/${extension}/message-store`,
  );
  const instant = config.webhookIncludeText
    ? stores.map((store) => `${store}/instant?type=SMS`)
    : [];
  return [...stores, ...instant];
}

/** Adds one statement to a function's role. */
function allow(fn: MessageFunction, actions: string[], resources: string[]): void {
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/** The SDK call of the deploy-time refresh: a synchronous invoke with `{ "force": true }`. */
function forcedRefresh(fn: MessageFunction): cr.AwsSdkCall {
  return {
    service: 'Lambda',
    action: 'invoke',
    parameters: {
      FunctionName: fn.function.functionName,
      InvocationType: 'RequestResponse',
      Payload: JSON.stringify({ force: true }),
    },
    physicalResourceId: cr.PhysicalResourceId.of('token-refresh-at-deploy'),
  };
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => (part[0]?.toUpperCase() ?? '') + part.slice(1))
    .join('');
}
