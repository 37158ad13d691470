import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX, CUSTODY_PREFIX, PURGE_REPORT_PREFIX } from '../../lib/archive/layout.ts';
import { COMPLETENESS_PARTITION } from '../../lib/aws/completeness-alarm-store.ts';
import { ARCHIVE_CURSOR_PARTITION } from '../../lib/aws/cursor-store.ts';
import { custodyHeadPartition } from '../../lib/aws/custody-head-store.ts';
import { EXTENSION_PARTITION } from '../../lib/aws/extension-registry.ts';
import { ARCHIVE_LISTING_PROBE_KEY } from '../archive-listing-probe.ts';
import type { InfraConfig } from '../config.ts';
import { FUNCTION_SETTINGS } from '../function-settings.ts';
import type { ArchiveBucket } from './archive-bucket.ts';
import { functionConstructId, MessageFunction } from './message-function.ts';
import { type ScheduledJob, scheduleFunction } from './scheduled-job.ts';

/** Every archived object's key matches this (lib/archive/layout.ts). */
const ARCHIVE_PREFIX_PATTERN = `${ARCHIVE_PREFIX}*`;

/** What the archive and purge jobs are given. */
export interface ArchiveJobsProps {
  config: Pick<
    InfraConfig,
    | 'archiveStartDate'
    | 'retentionDays'
    | 'purgeDryRun'
    | 'purgeHard'
    | 'schedules'
    | 'objectLock'
    | 'archiveLagAlarmMinutes'
  >;
  /** Where the dispatcher publishes `Archive Behind` and `Archive Caught Up`. */
  bus: events.IEventBus;
  /** The state table: sync cursors, locators and the extension registry. */
  table: dynamodb.ITable;
  /** The environment naming the state table and the RingCentral secrets. */
  stateEnvironment: Record<string, string>;
  /** The credentials and session secrets, as IAM policies name them. */
  secretArns: string[];
  /** Where the archive goes. */
  store: ArchiveBucket;
  /** The customer key of the archive bucket, when it has one. */
  storeKey?: kms.IKey;
  logRetention: logs.RetentionDays;
  logKey: kms.IKey;
  /** The on-failure destination of both functions. */
  failedInvocations: sqs.IQueue;
  /** Where the schedules put runs they could not deliver. */
  undeliveredSchedules: sqs.IQueue;
}

/**
 * The archive and purge jobs: the dispatcher (on the archive schedule) that hands the registry's
 * due extensions to the archive worker in batches, the worker, purge, their schedules, and
 * exactly the calls lib/aws makes for each. They belong together: purge deletes only what
 * archive proved stored, so both read the same start date, registry, retention and prefix.
 *
 * Create it with the id `Default`: CDK leaves that segment out of logical ids, so the resources
 * keep the ids they had when the stack created them itself, and a deployed stack keeps them.
 */
export class ArchiveJobs extends Construct {
  readonly archive: MessageFunction;
  readonly purge: MessageFunction;
  readonly dispatch: MessageFunction;
  /** The dispatcher's schedule (the archive's pace). */
  readonly archiveSchedule: ScheduledJob;
  readonly purgeSchedule: ScheduledJob;
  /** The role `npm run smoke -- --stack` assumes to read a missing archive key. */
  readonly listingProbe: iam.Role;

  constructor(scope: Construct, id: string, props: ArchiveJobsProps) {
    super(scope, id);
    this.archive = this.archiveFunction(props);
    this.purge = this.purgeFunction(props);
    this.dispatch = this.dispatchFunction(props);
    this.allowArchive(props);
    this.allowPurge(props);
    this.allowDispatch(props);
    this.listingProbe = this.listingProbeRole(props.store);
    const { config, undeliveredSchedules: deadLetterQueue } = props;
    // A dispatch that waited past the next one is replaced by it.
    this.archiveSchedule = scheduleFunction(this, this.dispatch, {
      expression: config.schedules.archive,
      deadLetterQueue,
      maxEventAge: Duration.minutes(5),
    });
    this.purgeSchedule = scheduleFunction(this, this.purge, {
      expression: config.schedules.purge,
      deadLetterQueue,
      maxEventAge: Duration.hours(2),
    });
  }

  /**
   * A role the deployer assumes (`npm run smoke -- --stack`) to HEAD a missing archive key with
   * the archive's and purge's very listing grant: its 404 or 403 is theirs. Their own roles stay
   * trusted by Lambda alone (they write the archive and read the RingCentral secrets); this one
   * may read one key that never exists, and list under archive/ as they may.
   */
  private listingProbeRole(store: ArchiveBucket): iam.Role {
    const role = new iam.Role(this, 'ArchiveListingProbe', {
      assumedBy: new iam.AccountRootPrincipal(),
      description:
        'npm run smoke assumes it to check that a missing archive key reads as 404 under the archive role listing grant',
      maxSessionDuration: Duration.hours(1),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [store.bucket.arnForObjects(ARCHIVE_LISTING_PROBE_KEY)],
      }),
    );
    const listing = archiveListingGrant(store);
    role.addToPolicy(new iam.PolicyStatement(listing));
    return role;
  }

  private archiveFunction(props: ArchiveJobsProps): MessageFunction {
    return new MessageFunction(this, functionConstructId('archive'), {
      name: 'archive',
      description: 'Archives new and changed messages and their attachments to S3',
      logRetention: props.logRetention,
      logKey: props.logKey,
      onFailure: props.failedInvocations,
      retryAttempts: 1,
      environment: { ...archiveEnvironment(props), ...startDate(props.config) },
    });
  }

  private dispatchFunction(props: ArchiveJobsProps): MessageFunction {
    return new MessageFunction(this, functionConstructId('archive-dispatch'), {
      name: 'archive-dispatch',
      description: 'Publishes archive completeness and hands due extensions to the archive workers',
      logRetention: props.logRetention,
      logKey: props.logKey,
      onFailure: props.failedInvocations,
      retryAttempts: 0,
      environment: {
        STATE_TABLE_NAME: props.table.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        ARCHIVE_FUNCTION_NAME: this.archive.function.functionName,
        ARCHIVE_WORKERS: String(FUNCTION_SETTINGS.archive.reservedConcurrency ?? 1),
        ARCHIVE_WORKER_TIMEOUT_SECONDS: String(FUNCTION_SETTINGS.archive.timeoutSeconds),
        ARCHIVE_BEHIND_MINUTES: String(props.config.archiveLagAlarmMinutes),
      },
    });
  }

  private purgeFunction(props: ArchiveJobsProps): MessageFunction {
    const { config } = props;
    return new MessageFunction(this, functionConstructId('purge'), {
      name: 'purge',
      description: 'Deletes messages older than their retention once proven archived',
      logRetention: props.logRetention,
      logKey: props.logKey,
      onFailure: props.failedInvocations,
      retryAttempts: 0,
      environment: {
        ...archiveEnvironment(props),
        PURGE_RETENTION_DAYS: JSON.stringify(config.retentionDays),
        PURGE_DRY_RUN: String(config.purgeDryRun),
        PURGE_HARD: String(config.purgeHard),
        ...startDate(config),
      },
    });
  }

  private allowArchive({ table, store, storeKey, secretArns }: ArchiveJobsProps): void {
    const { archive } = this;
    archive.allowSecretReads(secretArns);
    // The sync cursors and the custody heads: read, then a conditional write on the version.
    archive.allowPartitions(['dynamodb:GetItem', 'dynamodb:PutItem'], table.tableArn, [
      ARCHIVE_CURSOR_PARTITION,
      custodyHeadPartition('*'),
    ]);
    archive.allowRateBudget(table.tableArn);
    // Locators: written in batches (lib/aws/locator-store.ts), only under their own keys.
    archive.allowPartitions(['dynamodb:BatchWriteItem'], table.tableArn, ['locator#*']);
    // lib/aws/s3-object-store.ts: GetObject covers HeadObject, reads of manifests and the
    // digest of a stored object; PutObject covers PutObject and multipart
    // create/upload-part/complete; abort cleans up a failed multipart upload.
    archive.allow(
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      [
        store.bucket.arnForObjects(ARCHIVE_PREFIX_PATTERN),
        // Each run's custody manifest (lib/archive/custody-ledger.ts).
        store.bucket.arnForObjects(`${CUSTODY_PREFIX}*`),
      ],
    );
    allowArchiveListing(archive, store);
    if (storeKey) archive.allow(['kms:Decrypt', 'kms:GenerateDataKey'], [storeKey.keyArn]);
    // Progress per extension: field-wise UpdateItems of registry entries (no other key).
    archive.allowPartitions(['dynamodb:UpdateItem'], table.tableArn, [EXTENSION_PARTITION]);
  }

  private allowDispatch({ table, bus }: ArchiveJobsProps): void {
    const { dispatch } = this;
    // Reads the registry's partition and marks what it handed out (dispatchedAt); reads and
    // writes only the behind alarm's own item besides.
    dispatch.allowPartitions(['dynamodb:Query', 'dynamodb:UpdateItem'], table.tableArn, [
      EXTENSION_PARTITION,
    ]);
    dispatch.allowPartitions(['dynamodb:GetItem', 'dynamodb:UpdateItem'], table.tableArn, [
      COMPLETENESS_PARTITION,
    ]);
    dispatch.allow(['events:PutEvents'], [bus.eventBusArn]);
    dispatch.allow(['lambda:InvokeFunction'], [this.archive.function.functionArn]);
  }

  private allowPurge({ table, store, storeKey, secretArns }: ArchiveJobsProps): void {
    const { purge } = this;
    purge.allowSecretReads(secretArns);
    // Purge only reads the archive cursors (never moves them).
    purge.allowPartitions(['dynamodb:GetItem'], table.tableArn, [ARCHIVE_CURSOR_PARTITION]);
    // The registry: its order (a Query of its partition) and lastPurgeAt (UpdateItem).
    purge.allowPartitions(['dynamodb:Query', 'dynamodb:UpdateItem'], table.tableArn, [
      EXTENSION_PARTITION,
    ]);
    purge.allowRateBudget(table.tableArn);
    // Verification reads (HeadObject is authorised by GetObject); never a write under archive/.
    purge.allow(['s3:GetObject'], [store.bucket.arnForObjects(ARCHIVE_PREFIX_PATTERN)]);
    allowArchiveListing(purge, store);
    // The run report goes through the same object store as the archive: a PutObject, or a
    // multipart upload (aborted on failure) for a body of unknown length. Purge never reads it.
    purge.allow(
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      [store.bucket.arnForObjects(`${PURGE_REPORT_PREFIX}*`)],
    );
    if (storeKey) purge.allow(['kms:Decrypt', 'kms:GenerateDataKey'], [storeKey.keyArn]);
  }
}

/**
 * Where the archive is and how it is locked: read by archive and purge alike. Nothing per
 * extension: the registry in the state table says which extensions there are.
 */
function archiveEnvironment({
  config,
  stateEnvironment,
  store,
}: ArchiveJobsProps): Record<string, string> {
  return {
    ...stateEnvironment,
    ARCHIVE_BUCKET_NAME: store.bucket.bucketName,
    // Every object written with the bucket's retention; purge requires it before a delete.
    ...(config.objectLock.enabled
      ? {
          ARCHIVE_RETENTION_MODE: 'COMPLIANCE',
          ARCHIVE_RETENTION_DAYS: String(config.objectLock.retentionDays),
        }
      : {}),
  };
}

/** The same start date for archive and purge: purge can only prove what archive synced. */
function startDate(config: ArchiveJobsProps['config']): Record<string, string> {
  return config.archiveStartDate ? { ARCHIVE_START_DATE: config.archiveStartDate } : {};
}

/**
 * HeadObject and GetObject of a missing key answer 404 only to a caller that may list the
 * bucket; without it S3 answers 403, which the object store (rightly) does not take for
 * "absent". Archive and purge both ask for keys that may not exist yet, under archive/. S3
 * checks that ListBucket with the requested key as s3:prefix, so the condition covers them
 * (Ceph's gateway adopted the same rule to match S3; not verifiable offline: on AWS,
 * `npm run smoke -- --stack` checks it by assuming the listing probe role, which holds this grant).
 */
function archiveListingGrant(store: ArchiveBucket) {
  return {
    actions: ['s3:ListBucket'],
    resources: [store.bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [ARCHIVE_PREFIX_PATTERN] } },
  };
}

function allowArchiveListing(fn: MessageFunction, store: ArchiveBucket): void {
  const grant = archiveListingGrant(store);
  fn.allow(grant.actions, grant.resources, grant.conditions);
}
