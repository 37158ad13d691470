/**
 * A synthesised function's environment as Lambda would hand it to the code: every CloudFormation
 * intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split) replaced by a placeholder of the
 * shape CloudFormation resolves it to (a table name, a secret ARN, an API endpoint URL...), and
 * each function module imported under its own environment, as a cold start does.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { FunctionName } from '../../../infra/message-automation-stack.ts';
import type * as z from '../../../lib/validation/zod.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** What Lambda itself sets in every function's environment (the code may rely on them). */
export const LAMBDA_RUNTIME_ENVIRONMENT = {
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
} as const;

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Test',
};

/** An intrinsic the resolver does not know how to stand in for. */
export class UnresolvableValueError extends Error {
  override name = 'UnresolvableValueError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type Resources = Record<string, { Type: string }>;

function resourceType(resources: Resources, logicalId: string): string {
  const resource = resources[logicalId];
  if (!resource) throw new UnresolvableValueError(`No resource ${logicalId} in the template`);
  return resource.Type;
}

/** What `Ref` returns for a resource type: its name or id (or ARN, for a secret). */
function refPlaceholder(resources: Resources, logicalId: string): string {
  const lower = logicalId.toLowerCase();
  switch (resourceType(resources, logicalId)) {
    case 'AWS::DynamoDB::Table':
      return `Test-${logicalId}-1A2B3C4D5E6F`;
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${logicalId}-AbCdEf`;
    case 'AWS::S3::Bucket':
      return `test-${lower}-1a2b3c4d5e6f`.slice(0, 63);
    case 'AWS::Events::EventBus':
      return `Test${logicalId}`;
    case 'AWS::Lambda::Function':
      return `Test-${logicalId}-1A2B3C4D5E6F`.slice(0, 64);
    case 'AWS::ApiGatewayV2::Api':
      return 'a1b2c3d4e5';
    default:
      throw new UnresolvableValueError(
        `No placeholder for Ref of ${logicalId} (${resourceType(resources, logicalId)})`,
      );
  }
}

/** What `Fn::GetAtt` returns for the attributes functions are given. */
function getAttPlaceholder(resources: Resources, logicalId: string, attribute: string): string {
  const type = resourceType(resources, logicalId);
  const name = () => refPlaceholder(resources, logicalId);
  const key = `${type}.${attribute}`;
  switch (key) {
    case 'AWS::Lambda::Function.Arn':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name()}`;
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name()}`;
    case 'AWS::S3::Bucket.Arn':
      return `arn:aws:s3:::${name()}`;
    case 'AWS::Events::EventBus.Arn':
      return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name()}`;
    case 'AWS::Events::EventBus.Name':
      return name();
    case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
      return `https://${name()}.execute-api.${REGION}.amazonaws.com`;
    default:
      throw new UnresolvableValueError(`No placeholder for Fn::GetAtt ${logicalId}.${attribute}`);
  }
}

function resolveValue(resources: Resources, value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => resolveValue(resources, item));
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const [intrinsic, ...others] = Object.keys(record);
    if (intrinsic !== undefined && others.length === 0) {
      const argument = record[intrinsic];
      switch (intrinsic) {
        case 'Ref': {
          const id = String(argument);
          return PSEUDO_PARAMETERS[id] ?? refPlaceholder(resources, id);
        }
        case 'Fn::GetAtt': {
          const [id, attribute] = (
            typeof argument === 'string' ? argument.split('.') : argument
          ) as [string, string];
          return getAttPlaceholder(resources, id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return parts.map((part) => String(resolveValue(resources, part))).join(separator);
        }
        case 'Fn::Split': {
          const [separator, source] = argument as [string, unknown];
          return String(resolveValue(resources, source)).split(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [number | string, unknown];
          const items = resolveValue(resources, list) as unknown[];
          return items[Number(index)];
        }
      }
    }
  }
  throw new UnresolvableValueError(`Cannot resolve ${JSON.stringify(value)}`);
}

/**
 * The Environment.Variables of a function resource with every intrinsic replaced by a
 * placeholder of the right shape. Throws {@link UnresolvableValueError} on an unknown intrinsic,
 * so a new kind of value makes the test say so instead of passing a token through.
 */
export function resolvedEnvironment(
  template: Template,
  functionLogicalId: string,
): Record<string, string> {
  const resources = template.toJSON().Resources as Resources &
    Record<string, { Properties?: { Environment?: { Variables?: Record<string, unknown> } } }>;
  const variables = resources[functionLogicalId]?.Properties?.Environment?.Variables;
  if (!variables) throw new UnresolvableValueError(`${functionLogicalId} has no environment`);
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      const resolved = resolveValue(resources, value);
      if (typeof resolved !== 'string') {
        throw new UnresolvableValueError(`${name} resolves to ${JSON.stringify(resolved)}`);
      }
      return [name, resolved];
    }),
  );
}

/** Each function's exported environment schema, by function name, from its module. */
export const CONFIG_SCHEMA_LOADERS: Record<FunctionName, () => Promise<z.ZodMiniObject>> = {
  'send-sms': async () => (await import('../../../functions/send-sms.ts')).sendSmsConfig,
  'send-pager': async () => (await import('../../../functions/send-pager.ts')).sendPagerConfig,
  'send-fax': async () => (await import('../../../functions/send-fax.ts')).sendFaxConfig,
  'get-message': async () => (await import('../../../functions/get-message.ts')).getMessageConfig,
  'send-sms-batch': async () =>
    (await import('../../../functions/send-sms-batch.ts')).sendSmsBatchConfig,
  'get-sms-batch': async () =>
    (await import('../../../functions/get-sms-batch.ts')).getSmsBatchConfig,
  'message-status': async () =>
    (await import('../../../functions/message-status.ts')).messageStatusConfig,
  webhook: async () => (await import('../../../functions/webhook.ts')).webhookConfig,
  'token-refresh': async () =>
    (await import('../../../functions/token-refresh.ts')).tokenRefreshConfig,
  'subscription-keeper': async () =>
    (await import('../../../functions/subscription-keeper.ts')).subscriptionKeeperConfig,
  alert: async () => (await import('../../../functions/alert.ts')).alertConfig,
  archive: async () => (await import('../../../functions/archive.ts')).archiveConfig,
  'archive-dispatch': async () =>
    (await import('../../../functions/archive-dispatch.ts')).archiveDispatchConfig,
  purge: async () => (await import('../../../functions/purge.ts')).purgeConfig,
  extensions: async () => (await import('../../../functions/extensions.ts')).extensionsConfig,
  reconcile: async () => (await import('../../../functions/reconcile.ts')).reconcileConfig,
  'archive-export': async () =>
    (await import('../../../functions/archive-export.ts')).archiveExportConfig,
};

/**
 * Runs `load` (a module import, whose top level validates process.env) with `variables` set in
 * process.env, then puts the previous values back. Variables the test runner itself needs stay.
 */
export async function importWithEnvironment<T>(
  load: () => Promise<T>,
  variables: Record<string, string>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The variable names an environment schema declares. */
export function declaredVariables(schema: z.ZodMiniObject): string[] {
  return Object.keys(schema._zod.def.shape);
}
