import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import {
  ARCHIVE_PREFIX,
  CUSTODY_PREFIX,
  RECONCILIATION_REPORT_PREFIX,
} from '../lib/archive/layout.ts';
import { EXTENSION_PARTITION, POLICY_PARTITION } from '../lib/aws/extension-registry.ts';
import { IDEMPOTENCY_PARTITION_PREFIX } from '../lib/aws/idempotency.ts';
import { BATCH_PARTITION_PREFIX } from '../lib/aws/sent-batch-ledger.ts';
import { SENT_PARTITION_PREFIX } from '../lib/aws/sent-message-ledger.ts';
import { leaseKey } from '../lib/aws/state-table.ts';
import { STATUS_CHECK_LEASE, STATUS_WATCH_PARTITION } from '../lib/aws/status-watch-store.ts';
import { WEBHOOK_DELIVERY_PARTITION_PREFIX } from '../lib/aws/webhook-delivery-ledger.ts';
import {
  MESSAGE_STATUS_CHANGED,
  MESSAGE_STATUS_EVENT_SOURCE,
} from '../lib/sending/status-events.ts';
import { REFRESH_LEASE_NAME } from '../lib/session/refresher.ts';
import { NotificationDetailType } from '../lib/webhooks/notification.ts';
import { WEBHOOK_EVENT_SOURCE } from '../lib/webhooks/receiver.ts';
import { ARCHIVE_LISTING_PROBE_OUTPUT } from './archive-listing-probe.ts';
import {
  requireCallersOfDeployingAccount,
  requireKeysOfDeployingAccount,
} from './caller-account.ts';
import { type InfraConfig, type InfraConfigInput, readInfraConfig } from './config.ts';
import { AlarmTopic } from './constructs/alarm-topic.ts';
import { ArchiveBucket } from './constructs/archive-bucket.ts';
import { ArchiveJobs, type ArchiveJobsProps } from './constructs/archive-jobs.ts';
import { ArchiveSearch } from './constructs/archive-search.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import {
  functionConstructId,
  MessageFunction,
  type MessageFunctionProps,
} from './constructs/message-function.ts';
import { alarmNamePrefix, Monitoring } from './constructs/monitoring.ts';
import type { OperationsAlarmsProps } from './constructs/operations-alarms.ts';
import { OperationsKey } from './constructs/operations-key.ts';
import { RefreshAtDeploy } from './constructs/refresh-at-deploy.ts';
import { type ScheduledJob, scheduleFunction } from './constructs/scheduled-job.ts';
import { SendApi } from './constructs/send-api.ts';
import { FUNCTION_NAMES, type FunctionName } from './function-names.ts';
import { acknowledgeFindings } from './nag-acknowledgements.ts';

export { FUNCTION_NAMES, type FunctionName };

/** Props of the stack: any configuration key given here overrides context. */
export interface MessageAutomationStackProps extends StackProps {
  config?: Partial<InfraConfigInput>;
}

/** The functions a schedule runs. */
export type ScheduledFunctionName =
  | 'token-refresh'
  | 'archive-dispatch'
  | 'purge'
  | 'subscription-keeper'
  | 'extensions'
  | 'reconcile'
  | 'message-status'
  | 'archive-export';

/** The functions behind the send routes of the API. */
interface SendFunctions {
  'send-sms': MessageFunction;
  'send-pager': MessageFunction;
  'send-fax': MessageFunction;
  'get-message': MessageFunction;
  'send-sms-batch': MessageFunction;
  'get-sms-batch': MessageFunction;
}

const CREDENTIALS_SHAPE =
  'RingCentral app credentials, JSON: {"clientId": "...", "clientSecret": "...", "jwt": "<JWT of the user the app acts as>", "server": "https://platform.ringcentral.com", "mediaServer": "https://media.ringcentral.com" (optional)}';

/** The DynamoDB calls of lib/aws's idempotency store (sends and alerts). */
const IDEMPOTENCY_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

/**
 * The idempotency records' partitions (`idempotency#<function>`). The function's own name cannot
 * be named: its role's policy would then depend on the function that depends on it.
 */
const IDEMPOTENCY_PARTITIONS = [`${IDEMPOTENCY_PARTITION_PREFIX}*`];
/** The sending ledger's partitions (`sent#<messageId>`). */
const SENT_PARTITIONS = [`${SENT_PARTITION_PREFIX}*`];
/** High-volume SMS batches' partitions (`batch#<batchId>`: sender and cached progress). */
const BATCH_PARTITIONS = [`${BATCH_PARTITION_PREFIX}*`];

/**
 * The whole deployment: functions, HTTP API, schedules, archive bucket, state table, secrets,
 * event bus, alarms and dashboard. Configuration is read and validated at construction
 * (infra/config.ts), so a bad value fails synth with the key and value named. Each function's
 * role holds exactly the calls lib/aws makes for it.
 */
export class MessageAutomationStack extends Stack {
  /** The validated configuration. */
  readonly config: InfraConfig;
  /** Every function, by name. */
  readonly functions: Readonly<Record<FunctionName, MessageFunction>>;
  readonly table: dynamodb.Table;
  readonly archive: ArchiveBucket;
  /** Athena over the archive: the Glue table, the workgroup and the search policy. */
  readonly search: ArchiveSearch;
  readonly credentialsSecret: secretsmanager.ISecret;
  /** The credentials secret's ARN as IAM policies name it. */
  readonly credentialsPolicyArn: string;
  readonly sessionSecret: secretsmanager.Secret;
  readonly webhookSecret: secretsmanager.Secret;
  readonly bus: events.EventBus;
  readonly alarmTopic: sns.Topic;
  /** The alarm topic, its email subscriptions' DLQ and the configured existing topic. */
  readonly alarmDestinations: AlarmTopic;
  /** Encrypts the log groups and the alarm topic. */
  readonly operationsKey: kms.Key;
  readonly api: SendApi;
  readonly monitoring: Monitoring;
  /** Dead-letter queues: failed async invocations, undeliverable schedules and rule events. */
  readonly deadLetters: {
    functions: DeadLetterQueue;
    schedules: DeadLetterQueue;
    events: DeadLetterQueue;
    alarms: DeadLetterQueue;
  };
  readonly schedules: Readonly<Record<ScheduledFunctionName, ScheduledJob>>;
  /** Runs token-refresh, forced, on every deploy, failing the deploy when it fails. */
  readonly refreshAtDeploy: RefreshAtDeploy;
  /** Invokes extensions (discovery) at deploy, after the forced token refresh. */
  readonly discoverAtDeploy: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: MessageAutomationStackProps = {}) {
    super(scope, id, props);
    const config = readInfraConfig(this.node, props.config);
    this.config = config;
    requireCallersOfDeployingAccount(this, config.allowedCallers);
    requireKeysOfDeployingAccount(this, [
      ...(config.kmsKeyArn ? [{ key: 'kmsKeyArn', arn: config.kmsKeyArn }] : []),
      ...(config.credentialsKmsKeyArn
        ? [{ key: 'credentialsKmsKeyArn', arn: config.credentialsKmsKeyArn }]
        : []),
      ...config.faxDocumentKmsKeyArns.map((arn, index) => ({
        key: `faxDocumentKmsKeyArns.${index}`,
        arn,
      })),
    ]);
    this.table = this.stateTable();
    this.credentialsSecret = this.credentials();
    // An imported secret is known by name: its ARN ends in a random suffix IAM must match.
    this.credentialsPolicyArn = config.credentialsSecretName
      ? `${this.credentialsSecret.secretArn}-??????`
      : this.credentialsSecret.secretArn;
    this.sessionSecret = this.session();
    this.webhookSecret = this.webhookToken();
    const archiveKey = config.kmsKeyArn
      ? kms.Key.fromKeyArn(this, 'ArchiveKey', config.kmsKeyArn)
      : undefined;
    this.archive = this.archiveStore(archiveKey);
    this.search = new ArchiveSearch(this, 'ArchiveSearch', {
      archive: this.archive.bucket,
      ...(archiveKey ? { archiveKey } : {}),
      stateTableArn: this.table.tableArn,
      logBucket: this.archive.logBucket,
      resultDays: 30,
      bytesScannedCutoffPerQuery: 100 * 1024 ** 3,
    });
    this.bus = new events.EventBus(this, 'Bus', {
      description: 'Alerts and message events of the RingCentral message automation',
    });
    this.operationsKey = new OperationsKey(this, 'OperationsKey').key;
    this.alarmDestinations = this.alarms();
    this.alarmTopic = this.alarmDestinations.topic;
    this.deadLetters = {
      functions: new DeadLetterQueue(this, 'FailedInvocations'),
      schedules: new DeadLetterQueue(this, 'UndeliveredSchedules'),
      events: new DeadLetterQueue(this, 'UndeliveredEvents'),
      alarms: this.alarmDestinations.undelivered,
    };

    const send = this.sendFunctions();
    const messageStatus = this.messageStatusFunction();
    const tokenRefresh = this.tokenRefreshFunction();
    const alert = this.alertFunction();
    // `Default`: the jobs' resources keep the logical ids they had before they were grouped.
    const jobs = new ArchiveJobs(this, 'Default', this.archiveJobsProps(archiveKey));
    const discovery = this.extensionsFunction();
    const webhook = this.webhookFunction(discovery);
    this.api = this.sendApi(send, webhook);
    const webhookUrl = config.webhookUrl ?? `${this.api.url}/webhook`;
    const keeper = this.subscriptionKeeperFunction(webhookUrl);
    const reconcile = this.reconcileFunction(archiveKey);
    const archiveExport = this.archiveExportFunction(archiveKey);
    // In the order the dashboard and the alarms list them.
    this.functions = {
      ...send,
      'message-status': messageStatus,
      'token-refresh': tokenRefresh,
      alert,
      archive: jobs.archive,
      'archive-dispatch': jobs.dispatch,
      purge: jobs.purge,
      webhook,
      'subscription-keeper': keeper,
      extensions: discovery,
      reconcile,
      'archive-export': archiveExport,
    };

    this.allowCustomerKeys();
    this.schedules = {
      ...this.scheduleJobs(tokenRefresh, jobs, keeper, discovery, reconcile),
      'message-status': scheduleFunction(this, messageStatus, {
        expression: 'rate(1 minute)',
        deadLetterQueue: this.deadLetters.schedules.queue,
        // A poll that waited is replaced by the next one.
        maxEventAge: Duration.minutes(5),
      }),
      // One export at a time; a run that waited past the next one is replaced by it.
      'archive-export': scheduleFunction(this, archiveExport, {
        expression: config.schedules.archiveExport,
        deadLetterQueue: this.deadLetters.schedules.queue,
        maxEventAge: Duration.minutes(30),
      }),
    };
    this.refreshAtDeploy = this.refreshTokenAtDeploy(tokenRefresh);
    this.discoverAtDeploy = this.discoverExtensionsAtDeploy(discovery, this.refreshAtDeploy);
    this.monitoring = this.monitor(jobs.dispatch);
    this.alarmDestinations.allowAlarms(Object.values(this.monitoring.alarms));
    this.routeAlerts(alert);
    this.routeStatusChecks(messageStatus);
    this.addOutputs(webhookUrl, jobs.listingProbe);
    acknowledgeFindings(this);
  }

  // --- state and secrets -----------------------------------------------------------------------

  private stateTable(): dynamodb.Table {
    return new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The RingCentral app credentials: imported by name if configured, else a template to fill. */
  private credentials(): secretsmanager.ISecret {
    const { credentialsSecretName } = this.config;
    if (credentialsSecretName) {
      return secretsmanager.Secret.fromSecretNameV2(this, 'Credentials', credentialsSecretName);
    }
    return new secretsmanager.Secret(this, 'Credentials', {
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
  }

  private session(): secretsmanager.Secret {
    return new secretsmanager.Secret(this, 'Session', {
      description:
        'RingCentral session written by token-refresh only: {"accessToken","refreshToken","expiresAt","refreshExpiresAt"}',
      // A placeholder without accessToken: readers treat it as "not written yet".
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder' },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private webhookToken(): secretsmanager.Secret {
    return new secretsmanager.Secret(this, 'WebhookToken', {
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
  }

  /** The credentials secret's id for the SDK: its name when imported, else its ARN. */
  private get credentialsId(): string {
    return this.config.credentialsSecretName ?? this.credentialsSecret.secretArn;
  }

  /** The environment naming the state table and the RingCentral secrets. */
  private get stateEnvironment(): Record<string, string> {
    return {
      STATE_TABLE_NAME: this.table.tableName,
      CREDENTIALS_SECRET_ID: this.credentialsId,
      SESSION_SECRET_ID: this.sessionSecret.secretArn,
    };
  }

  /** The credentials and the session secret, as IAM policies name them. */
  private get ringCentralSecretArns(): string[] {
    return [this.credentialsPolicyArn, this.sessionSecret.secretArn];
  }

  private archiveStore(archiveKey: kms.IKey | undefined): ArchiveBucket {
    const { config } = this;
    return new ArchiveBucket(this, 'ArchiveStore', {
      ...(archiveKey ? { encryptionKey: archiveKey } : {}),
      ...(config.objectLock.enabled
        ? { objectLockRetentionDays: config.objectLock.retentionDays }
        : {}),
      infrequentAccessAfterDays: config.archiveTransitions.infrequentAccessDays,
      glacierAfterDays: config.archiveTransitions.glacierDays,
      accessLogDays: config.logRetentionDays,
    });
  }

  // --- functions -------------------------------------------------------------------------------

  /** One function of functions/ with the stack's log retention and key. */
  private messageFunction(
    name: FunctionName,
    props: Omit<MessageFunctionProps, 'name' | 'logRetention' | 'logKey'>,
  ): MessageFunction {
    return new MessageFunction(this, functionConstructId(name), {
      name,
      logRetention: this.config.logRetentionDays as logs.RetentionDays,
      logKey: this.operationsKey,
      ...props,
    });
  }

  /** The send functions; each reads the session and keeps its idempotency records. */
  private sendFunctions(): SendFunctions {
    const { config, stateEnvironment } = this;
    const functions: SendFunctions = {
      'send-sms': this.messageFunction('send-sms', {
        description: 'POST /sms: send one SMS per Idempotency-Key',
        environment: { ...stateEnvironment, SMS_FROM: config.smsFrom },
      }),
      'send-pager': this.messageFunction('send-pager', {
        description: 'POST /pager: send one pager message per Idempotency-Key',
        environment: stateEnvironment,
      }),
      'send-fax': this.messageFunction('send-fax', {
        description: 'POST /fax: send one fax per Idempotency-Key, documents streamed from S3',
        environment: {
          ...stateEnvironment,
          FAX_DOCUMENT_BUCKETS: config.faxDocumentBuckets.join(','),
        },
      }),
      'get-message': this.messageFunction('get-message', {
        description: 'GET /messages/{messageId}: the status of a message the caller sent',
        environment: stateEnvironment,
      }),
      'send-sms-batch': this.messageFunction('send-sms-batch', {
        description: 'POST /sms/batches: send one high-volume SMS batch per Idempotency-Key',
        environment: { ...stateEnvironment, SMS_FROM: config.smsFrom },
      }),
      'get-sms-batch': this.messageFunction('get-sms-batch', {
        description: 'GET /sms/batches/{batchId}: the progress of a batch the caller sent',
        environment: stateEnvironment,
      }),
    };
    for (const name of ['send-sms', 'send-pager', 'send-fax', 'send-sms-batch'] as const) {
      this.allowSending(functions[name]);
    }
    for (const name of ['send-sms', 'send-pager', 'send-fax'] as const) {
      // Who sent each message (lib/aws/sent-message-ledger.ts): a conditional put; and the
      // message put on the status watch (lib/aws/status-watch-store.ts), an update.
      functions[name].allowPartitions(['dynamodb:PutItem'], this.table.tableArn, SENT_PARTITIONS);
      functions[name].allowPartitions(['dynamodb:UpdateItem'], this.table.tableArn, [
        STATUS_WATCH_PARTITION,
      ]);
    }
    // A batch's sender (a conditional put) and its cached progress pages, under `batch#<id>`.
    functions['send-sms-batch'].allowPartitions(
      ['dynamodb:PutItem'],
      this.table.tableArn,
      BATCH_PARTITIONS,
    );
    const getBatch = functions['get-sms-batch'];
    getBatch.allowSecretReads(this.ringCentralSecretArns);
    getBatch.allowPartitions(
      ['dynamodb:GetItem', 'dynamodb:PutItem'],
      this.table.tableArn,
      BATCH_PARTITIONS,
    );
    getBatch.allowRateBudget(this.table.tableArn);
    // Reads a message's sender and cached status; writes the status cache; reads the status
    // from RingCentral through the shared rate budget.
    const getMessage = functions['get-message'];
    getMessage.allowSecretReads(this.ringCentralSecretArns);
    getMessage.allowPartitions(
      ['dynamodb:GetItem', 'dynamodb:PutItem'],
      this.table.tableArn,
      SENT_PARTITIONS,
    );
    getMessage.allowRateBudget(this.table.tableArn);
    if (config.faxDocumentBuckets.length > 0) {
      // HeadObject is authorised by s3:GetObject.
      functions['send-fax'].allow(
        ['s3:GetObject'],
        config.faxDocumentBuckets.map((bucket) => `arn:${this.partition}:s3:::${bucket}/*`),
      );
    }
    return functions;
  }

  /**
   * What a sender needs: the session to call RingCentral through the shared rate budget, and its
   * idempotency records.
   */
  private allowSending(fn: MessageFunction): void {
    fn.allowSecretReads(this.ringCentralSecretArns);
    fn.allowPartitions(IDEMPOTENCY_ACTIONS, this.table.tableArn, IDEMPOTENCY_PARTITIONS);
    fn.allowRateBudget(this.table.tableArn);
  }

  /**
   * Decryption with the configured customer keys, through the service that holds the data: the
   * credentials key for every reader of the imported credentials secret, the fax documents' keys
   * for send-fax.
   */
  private allowCustomerKeys(): void {
    const { credentialsKmsKeyArn, faxDocumentKmsKeyArns } = this.config;
    if (credentialsKmsKeyArn) {
      for (const fn of Object.values(this.functions)) {
        if (fn.readsSecret(this.credentialsPolicyArn)) {
          fn.allowDecryptVia([credentialsKmsKeyArn], 'secretsmanager');
        }
      }
    }
    this.functions['send-fax'].allowDecryptVia(faxDocumentKmsKeyArns, 's3');
  }

  /**
   * The status watch (lib/sending/status-watch.ts): reads back sent messages, publishes only
   * `Message Status Changed` from its own source, and touches only the watch's partition and its
   * check slot's lease in the table (besides the shared rate budget).
   */
  private messageStatusFunction(): MessageFunction {
    const fn = this.messageFunction('message-status', {
      description: 'Publishes status changes of sent messages as Message Status Changed events',
      onFailure: this.deadLetters.functions.queue,
      // A failed check is not retried: the next one (within a minute) reads the same messages.
      retryAttempts: 0,
      environment: { ...this.stateEnvironment, EVENT_BUS_NAME: this.bus.eventBusName },
    });
    fn.allowSecretReads(this.ringCentralSecretArns);
    fn.allowRateBudget(this.table.tableArn);
    fn.allow(['events:PutEvents'], [this.bus.eventBusArn], {
      StringEquals: {
        'events:source': MESSAGE_STATUS_EVENT_SOURCE,
        'events:detail-type': MESSAGE_STATUS_CHANGED,
      },
    });
    fn.allow(
      ['dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [this.table.tableArn],
      { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [STATUS_WATCH_PARTITION] } },
    );
    fn.allow(['dynamodb:PutItem'], [this.table.tableArn], {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [leaseKey(STATUS_CHECK_LEASE)] },
    });
    return fn;
  }

  /** The only caller of RingCentral OAuth; writes the session secret under a lease. */
  private tokenRefreshFunction(): MessageFunction {
    const fn = this.messageFunction('token-refresh', {
      description: 'The only caller of RingCentral OAuth: keeps the session secret fresh',
      onFailure: this.deadLetters.functions.queue,
      retryAttempts: 2,
      environment: {
        ...this.stateEnvironment,
        REFRESH_SCHEDULE_MINUTES: String(this.config.schedules.tokenRefreshMinutes),
      },
    });
    fn.allowSecretReads(this.ringCentralSecretArns);
    fn.allow(['secretsmanager:PutSecretValue'], [this.sessionSecret.secretArn]);
    // The refresh lease: a conditional put to take it, a conditional delete to release it.
    fn.allowPartitions(['dynamodb:PutItem', 'dynamodb:DeleteItem'], this.table.tableArn, [
      leaseKey(REFRESH_LEASE_NAME),
    ]);
    return fn;
  }

  /** token-refresh, forced, on every deploy; its failure fails the deploy. */
  private refreshTokenAtDeploy(tokenRefresh: MessageFunction): RefreshAtDeploy {
    const deployId = this.node.tryGetContext('deployId') as string | undefined;
    return new RefreshAtDeploy(this, 'RefreshTokenAtDeploy', {
      tokenRefresh: tokenRefresh.function,
      logRetention: this.config.logRetentionDays as logs.RetentionDays,
      logKey: this.operationsKey,
      ...(deployId ? { deployId } : {}),
    });
  }

  /** Renders alerts and alarms into SMS and pager messages; sends like the send functions. */
  private alertFunction(): MessageFunction {
    const { config } = this;
    const fn = this.messageFunction('alert', {
      description: 'Renders alerts and alarms into SMS and pager messages',
      onFailure: this.deadLetters.functions.queue,
      retryAttempts: 2,
      environment: {
        ...this.stateEnvironment,
        SMS_FROM: config.smsFrom,
        ALERT_RECIPIENTS: JSON.stringify(config.alertRecipients),
        ALERT_TEMPLATES: JSON.stringify(config.alertTemplates),
        ...(config.alertPagerFrom ? { ALERT_PAGER_FROM: config.alertPagerFrom } : {}),
      },
    });
    this.allowSending(fn);
    return fn;
  }

  private archiveJobsProps(archiveKey: kms.IKey | undefined): ArchiveJobsProps {
    return {
      config: this.config,
      table: this.table,
      stateEnvironment: this.stateEnvironment,
      secretArns: this.ringCentralSecretArns,
      store: this.archive,
      bus: this.bus,
      ...(archiveKey ? { storeKey: archiveKey } : {}),
      logRetention: this.config.logRetentionDays as logs.RetentionDays,
      logKey: this.operationsKey,
      failedInvocations: this.deadLetters.functions.queue,
      undeliveredSchedules: this.deadLetters.schedules.queue,
    };
  }

  /**
   * RingCentral's notifications: to bus events, and to the registry, whose changed extensions the
   * dispatcher hands to the archive workers in batches (no archive run per delivery).
   */
  private webhookFunction(discovery: MessageFunction): MessageFunction {
    const fn = this.messageFunction('webhook', {
      description:
        "POST /webhook: RingCentral's notifications to events and the extension registry",
      environment: {
        WEBHOOK_SECRET_ID: this.webhookSecret.secretArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        WEBHOOK_INCLUDE_TEXT: String(this.config.webhookIncludeText),
        STATE_TABLE_NAME: this.table.tableName,
        EXTENSIONS_FUNCTION_NAME: discovery.function.functionName,
      },
    });
    fn.allowSecretReads([this.webhookSecret.secretArn]);
    fn.allow(['events:PutEvents'], [this.bus.eventBusArn]);
    // The delivery ledger: a conditional put per delivery uuid, a delete when processing fails.
    fn.allowPartitions(['dynamodb:PutItem', 'dynamodb:DeleteItem'], this.table.tableArn, [
      `${WEBHOOK_DELIVERY_PARTITION_PREFIX}*`,
    ]);
    // markChanged: a conditional UpdateItem, and a GetItem telling "unknown" from "later".
    fn.allowPartitions(['dynamodb:GetItem', 'dynamodb:UpdateItem'], this.table.tableArn, [
      EXTENSION_PARTITION,
    ]);
    fn.allow(['lambda:InvokeFunction'], [discovery.function.functionArn]);
    return fn;
  }

  /** Keeps the webhook subscriptions the registry calls for pointed at `webhookUrl`. */
  private subscriptionKeeperFunction(webhookUrl: string): MessageFunction {
    const fn = this.messageFunction('subscription-keeper', {
      description: 'Keeps the RingCentral webhook subscriptions of the archived extensions alive',
      onFailure: this.deadLetters.functions.queue,
      retryAttempts: 2,
      environment: {
        CREDENTIALS_SECRET_ID: this.credentialsId,
        SESSION_SECRET_ID: this.sessionSecret.secretArn,
        WEBHOOK_SECRET_ID: this.webhookSecret.secretArn,
        WEBHOOK_URL: webhookUrl,
        STATE_TABLE_NAME: this.table.tableName,
        SUBSCRIPTION_INSTANT_SMS: String(this.config.webhookIncludeText),
      },
    });
    fn.allowSecretReads([...this.ringCentralSecretArns, this.webhookSecret.secretArn]);
    fn.allowRateBudget(this.table.tableArn);
    fn.allowPartitions(['dynamodb:Query'], this.table.tableArn, [EXTENSION_PARTITION]);
    return fn;
  }

  /**
   * The daily reconciliation: reads the registry, lists the archive's day prefixes and writes
   * its report under reports/reconciliation/ (reading it back to resume), nothing else.
   */
  private reconcileFunction(archiveKey: kms.IKey | undefined): MessageFunction {
    const fn = this.messageFunction('reconcile', {
      description: "Reconciles RingCentral's messages with the archive, daily, into reports/",
      onFailure: this.deadLetters.functions.queue,
      retryAttempts: 2,
      environment: {
        ...this.stateEnvironment,
        ARCHIVE_BUCKET_NAME: this.archive.bucket.bucketName,
      },
    });
    fn.allowSecretReads(this.ringCentralSecretArns);
    fn.allowRateBudget(this.table.tableArn);
    fn.allowPartitions(['dynamodb:Query'], this.table.tableArn, [EXTENSION_PARTITION]);
    fn.allow(['s3:ListBucket'], [this.archive.bucket.bucketArn], {
      StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`, `${RECONCILIATION_REPORT_PREFIX}*`] },
    });
    fn.allow(
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      [this.archive.bucket.arnForObjects(`${RECONCILIATION_REPORT_PREFIX}*`)],
    );
    if (archiveKey) fn.allow(['kms:Decrypt', 'kms:GenerateDataKey'], [archiveKey.keyArn]);
    return fn;
  }

  /**
   * The account-wide export: the archive's calls (its objects under archive/, locators in
   * batches, custody), its own cursor item, the registry read and `exportedThrough` written.
   */
  private archiveExportFunction(archiveKey: kms.IKey | undefined): MessageFunction {
    const { config } = this;
    const fn = this.messageFunction('archive-export', {
      description: 'Archives the whole account through the message-store export, every 30 min',
      onFailure: this.deadLetters.functions.queue,
      retryAttempts: 0,
      environment: {
        ...this.stateEnvironment,
        ARCHIVE_BUCKET_NAME: this.archive.bucket.bucketName,
        ...(config.archiveStartDate ? { ARCHIVE_START_DATE: config.archiveStartDate } : {}),
        ...(config.objectLock.enabled
          ? {
              ARCHIVE_RETENTION_MODE: 'COMPLIANCE',
              ARCHIVE_RETENTION_DAYS: String(config.objectLock.retentionDays),
            }
          : {}),
      },
    });
    fn.allowSecretReads(this.ringCentralSecretArns);
    fn.allowRateBudget(this.table.tableArn);
    // The export cursor (a versioned put) and custody heads; locators in batches.
    fn.allow(['dynamodb:GetItem', 'dynamodb:PutItem'], [this.table.tableArn], {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': ['cursor#export', 'custody#*', 'locator#*'],
      },
    });
    fn.allow(['dynamodb:BatchWriteItem'], [this.table.tableArn], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['locator#*'] },
    });
    fn.allow(['dynamodb:Query', 'dynamodb:UpdateItem'], [this.table.tableArn], {
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['extension'] },
    });
    fn.allow(
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      [
        this.archive.bucket.arnForObjects(`${ARCHIVE_PREFIX}*`),
        this.archive.bucket.arnForObjects(`${CUSTODY_PREFIX}*`),
      ],
    );
    fn.allow(['s3:ListBucket'], [this.archive.bucket.bucketArn], {
      StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] },
    });
    if (archiveKey) fn.allow(['kms:Decrypt', 'kms:GenerateDataKey'], [archiveKey.keyArn]);
    return fn;
  }

  /**
   * Discovery of the account's extensions into the registry (`pk = extension`) through the
   * policy (`pk = extension-policy`): reads the policy and the entries, writes entries field by
   * field (lib/aws/extension-registry.ts), never another key of the table.
   */
  private extensionsFunction(): MessageFunction {
    const fn = this.messageFunction('extensions', {
      description: "Discovers the account's extensions into the registry of the state table",
      onFailure: this.deadLetters.functions.queue,
      retryAttempts: 2,
      environment: this.stateEnvironment,
    });
    fn.allowSecretReads(this.ringCentralSecretArns);
    fn.allowPartitions(
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
      this.table.tableArn,
      [EXTENSION_PARTITION, POLICY_PARTITION],
    );
    fn.allowRateBudget(this.table.tableArn);
    return fn;
  }

  /**
   * Discovery at every deploy, after the forced refresh gave it a session, so a new deployment
   * knows its extensions before the first hourly run. The payload carries the refresh's deployId,
   * which changes at every synth: AwsCustomResource runs `onUpdate` only when its call changes.
   * Asynchronous: the deploy does not wait for it, and its failures go where every async
   * invocation's go (retries, then the DLQ).
   */
  private discoverExtensionsAtDeploy(
    discovery: MessageFunction,
    refresh: RefreshAtDeploy,
  ): cr.AwsCustomResource {
    const call: cr.AwsSdkCall = {
      service: 'Lambda',
      action: 'invoke',
      parameters: {
        FunctionName: discovery.function.functionName,
        InvocationType: 'Event',
        Payload: JSON.stringify({ source: 'deploy', deployId: refresh.deployId }),
      },
      physicalResourceId: cr.PhysicalResourceId.of('extensions-at-deploy'),
    };
    const discover = new cr.AwsCustomResource(this, 'DiscoverExtensionsAtDeploy', {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [discovery.function.functionArn],
        }),
      ]),
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
    });
    discover.node.addDependency(discovery, refresh);
    return discover;
  }

  /** The schedules: token-refresh and subscription-keeper here, archive and purge by the jobs. */
  private scheduleJobs(
    tokenRefresh: MessageFunction,
    jobs: ArchiveJobs,
    keeper: MessageFunction,
    discovery: MessageFunction,
    reconcile: MessageFunction,
  ): Omit<Record<ScheduledFunctionName, ScheduledJob>, 'message-status' | 'archive-export'> {
    const { schedules } = this.config;
    const deadLetterQueue = this.deadLetters.schedules.queue;
    return {
      'token-refresh': scheduleFunction(this, tokenRefresh, {
        expression: `rate(${schedules.tokenRefreshMinutes} minutes)`,
        deadLetterQueue,
        maxEventAge: Duration.minutes(5),
      }),
      'archive-dispatch': jobs.archiveSchedule,
      purge: jobs.purgeSchedule,
      'subscription-keeper': scheduleFunction(this, keeper, {
        expression: schedules.subscriptionKeeper,
        deadLetterQueue,
        maxEventAge: Duration.hours(2),
      }),
      // A run that waited an hour is replaced by the next one.
      extensions: scheduleFunction(this, discovery, {
        expression: schedules.extensions,
        deadLetterQueue,
        maxEventAge: Duration.hours(1),
      }),
      // Each run resumes the day's report; one that waited an hour is replaced by the next.
      reconcile: scheduleFunction(this, reconcile, {
        expression: schedules.reconcile,
        deadLetterQueue,
        maxEventAge: Duration.hours(1),
      }),
    };
  }

  // --- API, alarms, alerts, outputs -----------------------------------------------------------

  private sendApi(send: SendFunctions, webhook: MessageFunction): SendApi {
    return new SendApi(this, 'Http', {
      signedRoutes: {
        '/sms': send['send-sms'].function,
        '/fax': send['send-fax'].function,
        '/pager': send['send-pager'].function,
        '/sms/batches': send['send-sms-batch'].function,
      },
      signedReadRoutes: {
        '/messages/{messageId}': send['get-message'].function,
        '/sms/batches/{batchId}': send['get-sms-batch'].function,
      },
      publicRoutes: { '/webhook': webhook.function },
      allowedCallers: this.config.allowedCallers,
      throttle: this.config.apiThrottle,
      publicRouteThrottle: this.config.webhookThrottle,
      logRetention: this.config.logRetentionDays as logs.RetentionDays,
      logKey: this.operationsKey,
    });
  }

  /** Where alarms reach people: the stack's topic (KMS) by email, and an existing topic. */
  private alarms(): AlarmTopic {
    const { alarmEmails, alarmTopicArn } = this.config;
    return new AlarmTopic(this, 'AlarmTopic', {
      masterKey: this.operationsKey,
      emails: alarmEmails,
      ...(alarmTopicArn ? { existingTopicArn: alarmTopicArn } : {}),
    });
  }

  private monitor(dispatch: MessageFunction): Monitoring {
    return new Monitoring(this, 'Monitoring', {
      functions: Object.fromEntries(
        Object.entries(this.functions).map(([name, made]) => [name, made.function]),
      ),
      deadLetterQueues: {
        'failed-invocations': this.deadLetters.functions.queue,
        'undelivered-schedules': this.deadLetters.schedules.queue,
        'undelivered-events': this.deadLetters.events.queue,
        'undelivered-alarms': this.deadLetters.alarms.queue,
      },
      topics: this.alarmDestinations.destinations,
      dispatchFunction: dispatch.function,
      archiveLag: Duration.minutes(this.config.archiveLagAlarmMinutes),
      // The functions that call RingCentral's rate-limited API (the 429 alarms take 10 metrics
      // each); token-refresh's Auth calls page through its own refresh alarms.
      ringCentralServices: FUNCTION_NAMES.filter(
        (name) => !['webhook', 'archive-dispatch', 'token-refresh'].includes(name),
      ),
      operations: this.operationsAlarmProps(this.functions.archive),
    });
  }

  /** What the operations alarms watch: the async functions, the API, the table, the session. */
  private operationsAlarmProps(archive: MessageFunction): OperationsAlarmsProps {
    return {
      asyncFunctions: Object.fromEntries(
        Object.entries(this.functions)
          .filter(([, made]) => made.invokedAsynchronously)
          .map(([name, made]) => [name, made.function]),
      ),
      archiveFunction: archive.function,
      api: this.api.api,
      table: this.table,
      tokenRefreshEvery: Duration.minutes(this.config.schedules.tokenRefreshMinutes),
      logGroupNames: Object.fromEntries(
        Object.entries(this.functions).map(([name, made]) => [name, made.logGroup.logGroupName]),
      ),
    };
  }

  /**
   * Alert events of the bus, and this stack's alarms entering ALARM, to the alert function.
   * The alert function's own errors go out only by SNS, so a broken alert function cannot feed
   * itself.
   */
  private routeAlerts(alert: MessageFunction): void {
    const alertTarget = new eventTargets.LambdaFunction(alert.function, {
      deadLetterQueue: this.deadLetters.events.queue,
      retryAttempts: 4,
      maxEventAge: Duration.hours(1),
    });
    new events.Rule(this, 'AlertEvents', {
      eventBus: this.bus,
      description: 'Alert events of the project bus to the alert function',
      eventPattern: { detailType: ['Alert'] },
      targets: [alertTarget],
    });
    const alertErrors = this.monitoring.alarms['alert-errors'];
    new events.Rule(this, 'AlarmEvents', {
      description: "This stack's alarms entering ALARM to the alert function",
      // By name prefix, not by ARN: the pattern keeps its size whatever the number of alarms.
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        ...(alertErrors ? { resources: events.Match.anythingBut(alertErrors.alarmArn) } : {}),
        detail: {
          alarmName: events.Match.prefix(alarmNamePrefix(this.stackName)),
          state: { value: ['ALARM'] },
        },
      },
      targets: [alertTarget],
    });
  }

  /**
   * The webhook's message-store notifications that report updated messages, to the status watch
   * (it filters the mailboxes and types it watches, and spaces its checks).
   */
  private routeStatusChecks(messageStatus: MessageFunction): void {
    new events.Rule(this, 'StatusCheckEvents', {
      eventBus: this.bus,
      description: 'Message-store notifications with updated messages to message-status',
      eventPattern: {
        source: [WEBHOOK_EVENT_SOURCE],
        detailType: [NotificationDetailType.messageStoreChange],
        detail: { changes: { updatedCount: [{ numeric: ['>', 0] }] } },
      },
      targets: [
        new eventTargets.LambdaFunction(messageStatus.function, {
          deadLetterQueue: this.deadLetters.events.queue,
          retryAttempts: 2,
          // A late check is replaced by the schedule's poll.
          maxEventAge: Duration.minutes(10),
        }),
      ],
    });
  }

  private addOutputs(webhookUrl: string, listingProbe: iam.IRole): void {
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'WebhookUrl', { value: webhookUrl });
    new CfnOutput(this, 'CredentialsSecretArn', { value: this.credentialsSecret.secretArn });
    new CfnOutput(this, 'ArchiveBucketName', { value: this.archive.bucket.bucketName });
    // What the compliance tools need (docs/DEPLOY.md, "Compliance officers and auditors").
    new CfnOutput(this, 'StateTableName', { value: this.table.tableName });
    new CfnOutput(this, 'ArchiveSearchPolicyArn', {
      value: this.search.searchPolicy.managedPolicyArn,
      description: 'Attach to whoever runs npm run archive:search',
    });
    new CfnOutput(this, 'LegalHoldPolicyArn', {
      value: this.search.legalHoldPolicy.managedPolicyArn,
      description: 'Attach to whoever may place and lift legal holds (npm run archive:hold)',
    });
    new CfnOutput(this, 'ArchiveVerifyPolicyArn', {
      value: this.search.verifyPolicy.managedPolicyArn,
      description: 'Attach to whoever verifies the archive (npm run archive:verify)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    // What `npm run smoke -- --stack` reads to check the session.
    new CfnOutput(this, 'SessionSecretArn', { value: this.sessionSecret.secretArn });
    // The functions docs/DEPLOY.md has the deployer invoke by hand.
    new CfnOutput(this, 'TokenRefreshFunctionName', {
      value: this.functions['token-refresh'].function.functionName,
    });
    new CfnOutput(this, 'ExtensionsFunctionName', {
      value: this.functions.extensions.function.functionName,
    });
    new CfnOutput(this, 'SubscriptionKeeperFunctionName', {
      value: this.functions['subscription-keeper'].function.functionName,
    });
    new CfnOutput(this, 'TestAlarmName', {
      value: this.monitoring.testAlarm.alarmName,
      description: 'An alarm to set to ALARM by hand to check that alarms reach a person',
    });
    new CfnOutput(this, ARCHIVE_LISTING_PROBE_OUTPUT, {
      value: listingProbe.roleArn,
      description: 'The role npm run smoke -- --stack assumes to read a missing archive key',
    });
  }
}
