import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Settings of the archive bucket. */
export interface ArchiveBucketProps {
  /** A customer key for SSE-KMS; default the AWS-managed `aws/s3` key. */
  encryptionKey?: kms.IKey;
  /** Object Lock in compliance mode with this default retention; off when undefined. */
  objectLockRetentionDays?: number;
  infrequentAccessAfterDays: number;
  glacierAfterDays: number;
  /** Days server access logs are kept. */
  accessLogDays: number;
}

/**
 * The archive: private, TLS only, SSE-KMS, versioned, optionally Object Lock (compliance),
 * lifecycle to colder classes, server access logs to a log bucket; both retained when the stack
 * is deleted (the archive is the system of record once RingCentral's copy is purged).
 */
export class ArchiveBucket extends Construct {
  /** The archive bucket. */
  readonly bucket: s3.Bucket;
  /** The bucket receiving its server access logs. */
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    this.logBucket = this.accessLogBucket(props);
    this.bucket = this.archiveBucket(props);
    this.deliverAccessLogs();
  }

  /** Server access logs can only be delivered to an SSE-S3 bucket. */
  private accessLogBucket(props: ArchiveBucketProps): s3.Bucket {
    return new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.accessLogDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private archiveBucket(props: ArchiveBucketProps): s3.Bucket {
    const objectLock = props.objectLockRetentionDays !== undefined;
    return new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Without a customer key: SSE-KMS with the AWS-managed `aws/s3` key (no key to manage).
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.KMS_MANAGED,
      ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      objectLockEnabled: objectLock,
      ...(objectLock
        ? {
            objectLockDefaultRetention: s3.ObjectLockRetention.compliance(
              Duration.days(props.objectLockRetentionDays ?? 1),
            ),
          }
        : {}),
      lifecycleRules: [
        {
          id: 'colder-classes',
          // Glacier Instant Retrieval still answers GET and HEAD at once, so purge verification
          // and restores work on old messages without a restore request.
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.infrequentAccessAfterDays),
            },
            {
              storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(props.glacierAfterDays),
            },
          ],
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Access logs delivered by the logging service under a bucket policy (no ACLs), whatever the
   * app's feature flags say.
   */
  private deliverAccessLogs(): void {
    (this.bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.logBucket.bucketName,
      logFilePrefix: 'archive/',
    };
    this.logBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ServerAccessLogs',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.logBucket.arnForObjects('archive/*')],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }
}
