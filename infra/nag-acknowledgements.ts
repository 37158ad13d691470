/**
 * Every cdk-nag and cfn-guard finding this stack accepts, each on the construct it concerns and
 * with the reason it is accepted. Anything not listed here fails `cdk synth`.
 */
import { type CfnElement, type Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { InfraConfig } from './config.ts';
import type { ArchiveBucket } from './constructs/archive-bucket.ts';
import type { ArchiveSearch } from './constructs/archive-search.ts';
import type { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import type { MessageFunction } from './constructs/message-function.ts';
import type { RefreshAtDeploy } from './constructs/refresh-at-deploy.ts';
import type { SendApi } from './constructs/send-api.ts';
import type { FunctionName } from './function-names.ts';

const GUARD = 'cdk-validator-cfnguard';

/** Functions invoked asynchronously (schedules, rules, invokes), with an on-failure destination. */
const ASYNCHRONOUS_FUNCTIONS: readonly FunctionName[] = [
  'token-refresh',
  'alert',
  'archive',
  'archive-dispatch',
  'purge',
  'subscription-keeper',
  'extensions',
  'reconcile',
  'message-status',
  'archive-export',
];

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The parts of a stack whose findings are accepted here (the stack passes itself). */
export interface AcknowledgedStack extends Stack {
  readonly config: Pick<
    InfraConfig,
    'credentialsSecretName' | 'faxDocumentBuckets' | 'logRetentionDays' | 'objectLock'
  >;
  readonly credentialsSecret: IConstruct;
  readonly sessionSecret: IConstruct;
  readonly webhookSecret: IConstruct;
  readonly functions: Readonly<Record<FunctionName, MessageFunction>>;
  readonly deadLetters: Readonly<Record<string, DeadLetterQueue>>;
  readonly api: SendApi;
  readonly archive: ArchiveBucket;
  readonly refreshAtDeploy: RefreshAtDeploy;
  readonly search: ArchiveSearch;
}

/** Acknowledges the accepted findings of `stack`, with reasons. */
export function acknowledgeFindings(stack: AcknowledgedStack): void {
  acknowledgeSecrets(stack);
  acknowledgeDeadLetterQueues(stack);
  acknowledgeApi(stack);
  acknowledgeFunctions(stack);
  acknowledgeArchiveGrants(stack);
  acknowledgeLogRetention(stack);
  acknowledgeSchedulerRoles(stack);
  acknowledgeRefreshProvider(stack);
  acknowledgeSdkCallProvider(stack);
  acknowledgeBuckets(stack);
  acknowledgeSearch(stack);
}

/** The archive search: its policies' object grants and its results bucket. */
function acknowledgeSearch(stack: AcknowledgedStack): void {
  const { searchPolicy, legalHoldPolicy, verifyPolicy, resultsBucket } = stack.search;
  acknowledge(
    searchPolicy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, stack.archive.bucket)}.Arn>/archive/*]`,
    'Athena reads the message.json objects of the days a search covers, archive/{account}/{extension}/{date}/{messageId}/message.json: read-only, limited to the archive/ prefix.',
  );
  acknowledge(
    legalHoldPolicy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, stack.archive.bucket)}.Arn>/archive/*]`,
    'archive:hold sets the legal hold of every version of the message objects a query matches, archive/{account}/{extension}/{date}/{messageId}/*, which only a prefix names; limited to the archive/ prefix.',
  );
  acknowledge(
    verifyPolicy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, stack.archive.bucket)}.Arn>/archive/*]`,
    'archive:verify reads every message object a custody manifest names, archive/{account}/{extension}/{date}/{messageId}/*, which only a prefix names: read-only, limited to the archive/ prefix.',
  );
  acknowledge(
    verifyPolicy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, stack.archive.bucket)}.Arn>/custody/*]`,
    'archive:verify reads every custody manifest of the chain, custody/{account}/{yyyy}/{mm}/{dd}/{runId}.json: read-only, limited to the custody/ prefix.',
  );
  acknowledge(
    searchPolicy,
    `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, resultsBucket)}.Arn>/results/*]`,
    'Athena writes each query result under results/{queryId}.csv in the results bucket, and the searcher reads it back; limited to that prefix.',
  );
  acknowledge(
    resultsBucket,
    `${GUARD}::s3_bucket_object_lock_enabled_check`,
    'Query results are working copies that expire by lifecycle; the records themselves stay in the locked archive.',
  );
  acknowledge(
    resultsBucket,
    `${GUARD}::s3_event_notifications_enabled_check`,
    'Nothing consumes object events of the results bucket: the searcher polls Athena for its query.',
  );
}

/** The logical id of a construct's CloudFormation resource, as findings name it. */
function logicalIdOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}

function acknowledgeSecrets(stack: AcknowledgedStack): void {
  const { config } = stack;
  acknowledge(
    stack.credentialsSecret,
    'AwsSolutions-SMG4',
    'The credentials are a RingCentral app secret and a user JWT issued in the RingCentral console; no rotation Lambda can issue them. Rotate them in RingCentral and update the secret (docs/DEPLOY.md).',
  );
  acknowledge(
    stack.sessionSecret,
    'AwsSolutions-SMG4',
    'The session secret is rotated by token-refresh every few minutes-to-hour (each refresh writes a new version); a Secrets Manager rotation schedule would be a second, conflicting writer.',
  );
  acknowledge(
    stack.webhookSecret,
    'AwsSolutions-SMG4',
    'The verification token must equal the one registered with the RingCentral subscription; rotating it without recreating the subscription would reject every delivery. subscription-keeper recreates the subscription with the current token.',
  );

  if (config.credentialsSecretName) {
    for (const made of Object.values(stack.functions)) {
      acknowledge(
        made.role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${config.credentialsSecretName}-??????]`,
        'The credentials secret is imported by name (credentialsSecretName); its ARN ends in a six-character suffix Secrets Manager chose, which only the ?????? wildcard can match. It matches that one secret.',
      );
    }
  }
}

function acknowledgeDeadLetterQueues(stack: AcknowledgedStack): void {
  for (const dlq of Object.values(stack.deadLetters)) {
    const reason =
      'This queue is itself a dead-letter queue (on-failure destination, scheduler DLQ or rule-target DLQ); a DLQ behind it would only move failed events further from the alarm that watches this one.';
    acknowledge(dlq.queue, 'AwsSolutions-SQS3', reason);
    acknowledge(dlq.queue, 'Serverless-SQSRedrivePolicy', reason);
    acknowledge(dlq.queue, `${GUARD}::sqs_dlq_check`, reason);
  }
}

/** The HTTP API: the unsigned webhook route, callers' grants, route permissions. */
function acknowledgeApi(stack: AcknowledgedStack): void {
  const webhookRoute = stack.api.publicRoutes['/webhook'];
  if (webhookRoute) {
    const reason =
      "RingCentral's webhook deliveries cannot be signed with SigV4 or carry a JWT; the webhook function answers only the Validation-Token handshake and otherwise requires the subscription's Verification-Token (compared in constant time) before doing anything.";
    acknowledge(webhookRoute, 'AwsSolutions-APIG4', reason);
    acknowledge(webhookRoute, `${GUARD}::api_gw_v2_authorization_type_configured_check`, reason);
  }
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const signed = [
    ...Object.keys(stack.api.signedRoutes).map((path) => ['POST', path] as const),
    ...Object.keys(stack.api.signedReadRoutes).map((path) => ['GET', path] as const),
  ];
  for (const caller of stack.api.callers) {
    for (const [method, path] of signed) {
      // API Gateway's ARN puts `*` where the route has a path parameter.
      const arnPath = path.replaceAll(/\{[^}]+\}/g, '*');
      acknowledge(
        caller,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:${region}:${account}:<${logicalIdOf(stack, stack.api.api)}>/*/${method}${arnPath}]`,
        `The wildcard is the stage segment of the execute-api ARN${arnPath === path ? '' : ' and the path parameter'}; the grant allows only ${method} ${path} of this API, as configured in allowedCallers.`,
      );
    }
  }
  for (const bucketName of stack.config.faxDocumentBuckets) {
    acknowledge(
      stack.functions['send-fax'].role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucketName}/*]`,
      `Callers name fax documents by key in ${bucketName} (configured in faxDocumentBuckets); send-fax may only read (GetObject/HeadObject) objects of that bucket.`,
    );
  }
  for (const route of [
    ...Object.values(stack.api.signedRoutes),
    ...Object.values(stack.api.signedReadRoutes),
    ...Object.values(stack.api.publicRoutes),
  ]) {
    acknowledge(
      route,
      `${GUARD}::lambda_function_public_access_prohibited_check`,
      "The permission names the API Gateway service principal with SourceArn set to this API's execute-api ARN (an Fn::Join); the guard rule only recognises literal strings or plain Ref/GetAtt as SourceArn.",
    );
  }
}

function acknowledgeFunctions(stack: AcknowledgedStack): void {
  for (const [name, made] of Object.entries(stack.functions)) {
    acknowledge(
      made.function,
      'Serverless-LambdaTracing',
      'X-Ray would add xray:PutTraceSegments on Resource * to every role; each request is traced by its requestId in structured logs and by Powertools EMF metrics per service instead.',
    );
    acknowledge(
      made.function,
      `${GUARD}::lambda_inside_vpc_check`,
      'The functions only call RingCentral (internet) and AWS APIs over TLS with IAM; a VPC would need NAT gateways and VPC endpoints and protect no private resource.',
    );
    const synchronous = ['send-sms', 'send-pager', 'send-fax', 'get-message', 'webhook'];
    if ([...synchronous, 'send-sms-batch', 'get-sms-batch'].includes(name)) {
      acknowledge(
        made.function,
        'Serverless-LambdaDLQ',
        'Invoked synchronously by API Gateway: a failure returns to the caller as a problem+json response and the caller retries with the same Idempotency-Key; there is no asynchronous event to dead-letter.',
      );
    }
  }
  for (const name of ASYNCHRONOUS_FUNCTIONS) {
    acknowledge(
      stack.functions[name].function,
      'Serverless-LambdaDLQ',
      'Failed asynchronous invocations go to an on-failure destination (the FailedInvocations queue), which records the request and the error; a DLQ as well would duplicate every failure.',
    );
  }
}

/** Archive, purge, reconcile and archive-export: object grants limited to their prefixes of the archive bucket. */
function acknowledgeArchiveGrants(stack: AcknowledgedStack): void {
  const bucketArn = `<${logicalIdOf(stack, stack.archive.bucket)}.Arn>`;
  const { archive, purge, reconcile } = stack.functions;
  const archiveExport = stack.functions['archive-export'];
  acknowledge(
    archiveExport.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/archive/*]`,
    "The account-wide export writes the archive function's keys, archive/{account}/{extension}/{date}/{messageId}/..., one per message and attachment; the grant is limited to the archive/ prefix.",
  );
  acknowledge(
    archiveExport.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/custody/*]`,
    'Each export run appends one custody manifest custody/{account}/{date}/{runId}.json (and reads the previous one of the chain); the grant is limited to the custody/ prefix.',
  );
  acknowledge(
    archive.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/archive/*]`,
    'Archive keys are archive/{account}/{extension}/{date}/{messageId}/..., one per message and attachment; the grant is limited to the archive/ prefix of the archive bucket.',
  );
  acknowledge(
    archive.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/custody/*]`,
    'Each archive run appends one custody manifest custody/{account}/{date}/{runId}.json (and reads the previous one of the chain); the grant is limited to the custody/ prefix.',
  );
  acknowledge(
    purge.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/archive/*]`,
    'Purge verifies every archived message and attachment (GetObject/HeadObject) before deleting it in RingCentral; read-only on the archive/ prefix.',
  );
  acknowledge(
    purge.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/reports/purge/*]`,
    'Purge writes one report per run under reports/purge/{date}/{runId}.json; the grant is limited to that prefix.',
  );
  acknowledge(
    reconcile.role,
    `AwsSolutions-IAM5[Resource::${bucketArn}/reports/reconciliation/*]`,
    'Reconcile writes (and reads back to resume) one report per day under reports/reconciliation/{yyyy}/{mm}/{dd}.json; the grant is limited to that prefix.',
  );
}

function acknowledgeLogRetention(stack: AcknowledgedStack): void {
  const { config } = stack;
  if (config.logRetentionDays < 365) {
    const reason = `Log retention is set to ${config.logRetentionDays} days by the logRetentionDays configuration.`;
    for (const made of Object.values(stack.functions)) {
      acknowledge(made.logGroup, `${GUARD}::cloudwatch_log_group_retention_period_check`, reason);
    }
    for (const group of [stack.api.accessLogs, stack.refreshAtDeploy.logGroup]) {
      acknowledge(group, `${GUARD}::cloudwatch_log_group_retention_period_check`, reason);
    }
  }
}

/** The roles aws-scheduler-targets creates per target function (children of the stack). */
function acknowledgeSchedulerRoles(stack: AcknowledgedStack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('SchedulerRoleForTarget-')) continue;
    for (const made of Object.values(stack.functions)) {
      acknowledge(
        child,
        `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, made.function)}.Arn>:*]`,
        "aws-scheduler-targets grants lambda:InvokeFunction on the target function and its qualified ARNs (function:*); the role can invoke only that one function's versions.",
      );
    }
  }
}

/** CDK's provider framework of the deploy-time token refresh (its function is not configurable). */
function acknowledgeRefreshProvider(stack: AcknowledgedStack): void {
  const framework = stack.refreshAtDeploy.provider.node.tryFindChild('framework-onEvent');
  if (!framework) return;
  const role = framework.node.tryFindChild('ServiceRole');
  if (role) {
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's provider framework role; it writes only its own logs and invokes token-refresh once per deployment.",
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${logicalIdOf(stack, stack.functions['token-refresh'].function)}.Arn>:*]`,
      "The provider framework may invoke token-refresh and its qualified ARNs (function:*); it can invoke only that one function's versions.",
    );
  }
  const reason =
    "CDK's custom-resource provider framework (its function's properties are not configurable): it runs only during CloudFormation deployments, synchronously, to invoke token-refresh and report the outcome to CloudFormation.";
  for (const id of [
    'Serverless-LambdaDLQ',
    'Serverless-LambdaTracing',
    'Serverless-LambdaDefaultMemorySize',
    `${GUARD}::lambda_inside_vpc_check`,
  ]) {
    acknowledge(framework, id, reason);
  }
}

/** CDK's AwsCustomResource provider function (the deploy-time extension discovery uses it). */
function acknowledgeSdkCallProvider(stack: AcknowledgedStack): void {
  const provider = stack.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
  if (!provider) return;
  const role = provider.node.tryFindChild('ServiceRole');
  if (role) {
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's AwsCustomResource provider role; it writes only its own logs and invokes the functions its calls name, once per deployment.",
    );
  }
  const reason =
    "CDK's AwsCustomResource provider (its properties are not configurable): it runs only during CloudFormation deployments.";
  for (const id of [
    'Serverless-LambdaDLQ',
    'Serverless-LambdaTracing',
    'Serverless-LambdaDefaultMemorySize',
    `${GUARD}::lambda_inside_vpc_check`,
  ]) {
    acknowledge(provider, id, reason);
  }
}

function acknowledgeBuckets(stack: AcknowledgedStack): void {
  const { bucket, logBucket } = stack.archive;
  acknowledge(
    logBucket,
    `${GUARD}::s3_bucket_default_encryption_kms_check`,
    'S3 server access logs can only be delivered to a bucket encrypted with SSE-S3.',
  );
  acknowledge(
    logBucket,
    `${GUARD}::s3_bucket_logging_enabled_check`,
    'This is the access-log bucket; logging it to itself would loop and to another bucket would need yet another log bucket.',
  );
  acknowledge(
    logBucket,
    `${GUARD}::s3_bucket_object_lock_enabled_check`,
    'Access logs expire by lifecycle after the log retention; Object Lock would keep them against that rule.',
  );
  const noConsumer =
    'Nothing consumes object events of this bucket: archive progress is published by the archive function itself (metrics and bus events).';
  acknowledge(logBucket, `${GUARD}::s3_event_notifications_enabled_check`, noConsumer);
  acknowledge(bucket, `${GUARD}::s3_event_notifications_enabled_check`, noConsumer);
  if (!stack.config.objectLock.enabled) {
    acknowledge(
      bucket,
      `${GUARD}::s3_bucket_object_lock_enabled_check`,
      'Object Lock is opt-in (objectLock.enabled): in compliance mode nobody, not even the account root, can delete an archived message before its retention ends, which must be a deliberate choice.',
    );
  }
}
