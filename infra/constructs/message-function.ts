import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionCode, NODE_WRAPPER } from '../function-bundles.ts';
import type { FunctionName } from '../function-names.ts';
import { FUNCTION_RUNTIME_ENVIRONMENT } from '../function-runtime.ts';
import { FUNCTION_SETTINGS } from '../function-settings.ts';

/**
 * Settings of one function. Its timeout, memory and reserved concurrency are not among them:
 * they come from infra/function-settings.ts by name, as `npm start`'s do.
 */
export interface MessageFunctionProps {
  /** The file name in functions/ without `.ts`, e.g. `send-sms`. */
  name: FunctionName;
  description: string;
  /** Configuration through environment; validated again by the function's own zod schema. */
  environment: Record<string, string>;
  logRetention: logs.RetentionDays;
  /** Encrypts the log group (the key must allow the CloudWatch Logs service). */
  logKey: kms.IKey;
  /** Where failed asynchronous invocations go (schedules, rules, async invokes): an on-failure destination. */
  onFailure?: sqs.IQueue;
  /** Retries of a failed asynchronous invocation (0-2). */
  retryAttempts?: number;
}

/** A function's construct id: its name in PascalCase (`send-sms` -> `SendSms`). */
export function functionConstructId(name: FunctionName): string {
  return name
    .split('-')
    .map((part) => (part[0]?.toUpperCase() ?? '') + part.slice(1))
    .join('');
}

/**
 * One function of functions/: Node 24 on arm64, its bundle from the synth's one esbuild build
 * (infra/function-bundles.ts: ESM, minified, source maps, the exec wrapper), its own log group
 * with retention, and its own role holding only what its grants add (logs write on its log
 * group; no managed policy).
 */
export class MessageFunction extends Construct {
  /** Its name (its file in functions/). */
  readonly name: FunctionName;
  /** The Lambda function. */
  readonly function: lambda.Function;
  /** Its log group. */
  readonly logGroup: logs.LogGroup;
  /** Its execution role (nothing else assumes it). */
  readonly role: iam.Role;
  /**
   * Whether something invokes it asynchronously (a schedule, a rule, another function): exactly
   * the functions given an on-failure destination, which the async-event alarms watch.
   */
  readonly invokedAsynchronously: boolean;
  /** The secrets its role may read, as IAM policies name them. */
  private readonly readableSecrets = new Set<string>();

  constructor(scope: Construct, id: string, props: MessageFunctionProps) {
    super(scope, id);
    this.name = props.name;
    this.invokedAsynchronously = props.onFailure !== undefined;
    const { timeoutSeconds, memoryMb, reservedConcurrency } = FUNCTION_SETTINGS[props.name];
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.name}`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every group): write to its own group.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      code: functionCode(this, props.name),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: Duration.seconds(timeoutSeconds),
      memorySize: memoryMb,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...FUNCTION_RUNTIME_ENVIRONMENT,
        AWS_LAMBDA_EXEC_WRAPPER: `/var/task/${NODE_WRAPPER.file}`,
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: 'RingCentralMessageAutomation',
        ...props.environment,
      },
      ...(reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: reservedConcurrency }),
      ...(props.onFailure === undefined
        ? {}
        : {
            // An on-failure destination records the request and the error, unlike a DLQ.
            onFailure: sendOnlyQueueDestination(props.onFailure, this.role),
            retryAttempts: props.retryAttempts ?? 2,
            maxEventAge: Duration.hours(6),
          }),
    });
  }

  /** Adds one statement to its role: `actions` on `resources`, under `conditions` if given. */
  allow(actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) }),
    );
  }

  /**
   * Lets it call `actions` on the items of `tableArn` whose partition key is one of
   * `partitions` (`dynamodb:LeadingKeys`); a `*` in one makes the match a pattern. Every grant on
   * the state table goes through here, so no function reaches another's partitions.
   */
  allowPartitions(actions: string[], tableArn: string, partitions: readonly string[]): void {
    const operator = partitions.some((key) => key.includes('*'))
      ? 'ForAllValues:StringLike'
      : 'ForAllValues:StringEquals';
    this.allow(actions, [tableArn], { [operator]: { 'dynamodb:LeadingKeys': [...partitions] } });
  }

  /**
   * Lets its RingCentral client spend the rate budget shared through the state table
   * (lib/aws/shared-rate-budget.ts: reads, claims, learning, penalties), on `ratebudget#` items
   * only.
   */
  allowRateBudget(tableArn: string): void {
    this.allowPartitions(['dynamodb:GetItem', 'dynamodb:UpdateItem'], tableArn, ['ratebudget#*']);
  }

  /** Lets it read the secrets with these ARNs (as IAM policies name them). */
  allowSecretReads(secretArns: string[]): void {
    this.allow(['secretsmanager:GetSecretValue'], secretArns);
    for (const arn of secretArns) this.readableSecrets.add(arn);
  }

  /** Whether {@link allowSecretReads} granted it the secret with this ARN (as policies name it). */
  readsSecret(secretArn: string): boolean {
    return this.readableSecrets.has(secretArn);
  }

  /**
   * Lets it decrypt with a customer key, only when `service` (e.g. `secretsmanager`, `s3`)
   * calls KMS on its behalf in this region: the key serves that service's reads, not direct use.
   */
  allowDecryptVia(keyArns: readonly string[], service: string): void {
    if (keyArns.length === 0) return;
    const region = Stack.of(this).region;
    this.allow(['kms:Decrypt'], [...keyArns], {
      StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` },
    });
  }
}

/**
 * An SQS on-failure destination granting only sqs:SendMessage (CDK's SqsDestination also grants
 * GetQueueAttributes and GetQueueUrl, which Lambda does not use to deliver failures).
 */
function sendOnlyQueueDestination(queue: sqs.IQueue, role: iam.IRole): lambda.IDestination {
  return {
    bind: () => {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
      );
      return { destination: queue.queueArn };
    },
  };
}
