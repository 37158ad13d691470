import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_PREFIX, CUSTODY_PREFIX } from '../../lib/archive/layout.ts';
import { glueColumns } from '../../lib/search/glue-columns.ts';
import { grantsOnlyForAwsServices } from './operations-key.ts';

/** Settings of the archive search. */
export interface ArchiveSearchProps {
  archive: s3.IBucket;
  /** The archive's customer key, when it has one (readers must decrypt with it). */
  archiveKey?: kms.IKey;
  /** The state table, whose `custody#` items hold each account's custody head. */
  stateTableArn: string;
  /** Where the results bucket's server access logs go (the archive's log bucket). */
  logBucket: s3.IBucket;
  /** Days query results are kept. */
  resultDays: number;
  /** Athena stops a query that would scan more than this. */
  bytesScannedCutoffPerQuery: number;
}

/** The Glue table's partitions, in the order of the key layout (lib/archive/layout.ts). */
export const SEARCH_PARTITIONS = ['account', 'extension', 'day'] as const;

/**
 * Athena over the archive (lib/search/athena-query.ts queries it): a Glue table with one row per
 * message.json, columns from the schema that writes message.json (lib/search/glue-columns.ts),
 * read with the Ion SerDe (message.json is pretty-printed JSON, which the JSON SerDes cannot
 * read), and partition projection over the key layout, so no crawler or partition upkeep: the
 * account and extension are named by each query (injected), the day is projected from 2000 to
 * now. A workgroup that enforces its result location (an encrypted bucket that expires results)
 * and a per-query scan cutoff, and one managed policy with exactly what a search needs, to attach
 * to the compliance officers' role.
 */
export class ArchiveSearch extends Construct {
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;
  readonly resultsBucket: s3.Bucket;
  /** Encrypts the query results (they hold message content). */
  readonly resultsKey: kms.Key;
  /** What running a search takes; attach it to whoever searches. */
  readonly searchPolicy: iam.ManagedPolicy;
  /**
   * What `npm run archive:hold` takes (it searches the archive's message.json objects itself):
   * attach it to whoever may place and lift legal holds. Separate from searching, because a hold
   * changes what S3 may delete.
   */
  readonly legalHoldPolicy: iam.ManagedPolicy;
  /**
   * What `npm run archive:verify` takes: read the archive's messages and custody manifests and
   * each account's custody head. Read-only, for auditors as much as officers.
   */
  readonly verifyPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ArchiveSearchProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const databaseName = `message_archive_${stack.stackName.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
    const tableName = 'messages';
    this.resultsKey = new kms.Key(this, 'ResultsKey', {
      description: 'Encrypts the Athena results of archive searches',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // As the operations key: grants only for AWS services (S3 and Athena use the key directly).
    this.resultsKey.addToResourcePolicy(grantsOnlyForAwsServices());
    this.resultsBucket = new s3.Bucket(this, 'Results', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.resultsKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-results',
          expiration: Duration.days(props.resultDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deliverAccessLogs(props.logBucket);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: databaseName, description: 'The message archive, for search' },
    });
    const archiveRoot = `s3://${props.archive.bucketName}/${ARCHIVE_PREFIX}`;
    this.table = new glue.CfnTable(this, 'Messages', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName,
      tableInput: {
        name: tableName,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: SEARCH_PARTITIONS.map((name) => ({ name, type: 'string' })),
        parameters: {
          classification: 'ion',
          'projection.enabled': 'true',
          'projection.account.type': 'injected',
          'projection.extension.type': 'injected',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy/MM/dd',
          'projection.day.range': '2000/01/01,NOW',
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': `${archiveRoot}\${account}/\${extension}/\${day}/`,
        },
        storageDescriptor: {
          location: archiveRoot,
          columns: glueColumns(),
          inputFormat: 'com.amazon.ionhiveserde.formats.IonInputFormat',
          outputFormat: 'com.amazon.ionhiveserde.formats.IonOutputFormat',
          serdeInfo: { serializationLibrary: 'com.amazon.ionhiveserde.IonHiveSerDe' },
        },
      },
    });
    this.table.addResourceDependency(this.database);
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: `${stack.stackName}-archive-search`,
      description: 'Compliance searches of the message archive',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: {
            encryptionOption: 'SSE_KMS',
            kmsKey: this.resultsKey.keyArn,
          },
        },
      },
    });
    this.searchPolicy = this.policy(props, databaseName, tableName);
    this.legalHoldPolicy = this.holdPolicy(props);
    this.verifyPolicy = this.custodyVerifyPolicy(props);
  }

  /** Server access logs of the results bucket, into the archive's log bucket (as the archive's own). */
  private deliverAccessLogs(logBucket: s3.IBucket): void {
    (this.resultsBucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: logBucket.bucketName,
      logFilePrefix: 'athena-results/',
    };
    logBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AthenaResultsAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [logBucket.arnForObjects('athena-results/*')],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.resultsBucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }

  /** Exactly the calls `archive:hold` makes: list and read message objects, list their versions, set their legal hold. */
  private holdPolicy(props: ArchiveSearchProps) {
    const messages = props.archive.arnForObjects(`${ARCHIVE_PREFIX}*`);
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketVersions'],
        resources: [props.archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] } },
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectLegalHold', 's3:PutObjectLegalHold'],
        resources: [messages],
      }),
    ];
    statements.push(...archiveKeyDecrypt(props));
    return new iam.ManagedPolicy(this, 'LegalHoldPolicy', {
      description: 'Place and lift legal holds on messages of the archive (npm run archive:hold)',
      statements,
    });
  }

  /** Exactly the calls `archive:verify` makes: list and read messages and manifests, read the custody heads. */
  private custodyVerifyPolicy(props: ArchiveSearchProps) {
    const prefixes = [`${ARCHIVE_PREFIX}*`, `${CUSTODY_PREFIX}*`];
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes } },
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: prefixes.map((prefix) => props.archive.arnForObjects(prefix)),
      }),
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [props.stateTableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['custody#*'] } },
      }),
      ...archiveKeyDecrypt(props),
    ];
    return new iam.ManagedPolicy(this, 'VerifyPolicy', {
      description:
        'Verify the message archive against its chain of custody (npm run archive:verify)',
      statements,
    });
  }

  /** Exactly the calls a search makes: run queries in this workgroup, read this table and the archive's message objects, read and write the results. */
  private policy(props: ArchiveSearchProps, databaseName: string, tableName: string) {
    const stack = Stack.of(this);
    const glueArn = (resource: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName: '' }).replace(/\/$/, '');
    const statements = [
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
        ],
        resources: [
          stack.formatArn({
            service: 'athena',
            resource: 'workgroup',
            resourceName: this.workGroup.name,
          }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
        resources: [
          glueArn('catalog'),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
          stack.formatArn({
            service: 'glue',
            resource: 'table',
            resourceName: `${databaseName}/${tableName}`,
          }),
        ],
      }),
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${ARCHIVE_PREFIX}*`] } },
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.archive.arnForObjects(`${ARCHIVE_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [this.resultsBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.resultsBucket.arnForObjects('results/*')],
      }),
    ];
    statements.push(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.resultsKey.keyArn],
      }),
    );
    statements.push(...archiveKeyDecrypt(props));
    return new iam.ManagedPolicy(this, 'SearchPolicy', {
      description: 'Run compliance searches of the message archive in its Athena workgroup',
      statements,
    });
  }
}

/** Reading the archive's objects when a customer key encrypts them: Decrypt on that key, else nothing. */
function archiveKeyDecrypt(props: ArchiveSearchProps): iam.PolicyStatement[] {
  return props.archiveKey
    ? [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.archiveKey.keyArn] })]
    : [];
}
