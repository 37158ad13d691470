/**
 * The functions of the local stack and the environment each runs with: the same keys the CDK
 * stack sets (infra/message-automation-stack.ts), pointed at the local servers; timeouts, memory
 * and concurrency come from infra/function-settings.ts, as the stack's do. Kept here rather than
 * read from a synthesized stack: a synth takes seconds and `npm start` should be ready in less.
 */

import { FUNCTION_NAMES, type FunctionName } from '../../infra/function-names.ts';
import { FUNCTION_SETTINGS, localConcurrency } from '../../infra/function-settings.ts';
import { LOCAL_ARCHIVE_RETENTION } from './storage.ts';

/** The functions `npm start` runs: every function of the stack. */
export const LOCAL_FUNCTION_NAMES = FUNCTION_NAMES;

/** A function of the local stack. */
export type LocalFunctionName = FunctionName;

/** Names of the local resources, as the stack's outputs would give them. */
export interface LocalResources {
  region: string;
  tableName: string;
  credentialsSecret: string;
  sessionSecret: string;
  webhookSecret: string;
  archiveBucket: string;
  faxDocumentsBucket: string;
  eventBusName: string;
  smsFrom: string;
  /** The public URL of the webhook route (the local gateway's). */
  webhookUrl: string;
  purgeDryRun: boolean;
  /** `{ "SMS": 30, ... }` days per message type. */
  purgeRetentionDays: Record<string, number>;
  /** `{ "sms": [...], "pager": [...] }`. */
  alertRecipients: { sms: string[]; pager: string[] };
  /** Seconds between message-status checks at least (20 deployed; less on the compressed schedule). */
  statusCheckSpacingSeconds: number;
}

/** Where the functions' AWS SDK clients go (every one of them to 127.0.0.1). */
export interface LocalEndpoints {
  s3: string;
  dynamodb: string;
  /** The local Secrets Manager / EventBridge / Lambda endpoint. */
  awsServices: string;
}

/** A function's settings in the local stack. */
export interface LocalFunctionSpec {
  name: LocalFunctionName;
  timeoutMs: number;
  memoryMb: number;
  /** Reserved concurrency where the stack sets one; otherwise a small pool. */
  concurrency: number;
  environment: Record<string, string>;
}

/** The environment every function shares: region, local credentials and local endpoints. */
export function sharedEnvironment(
  resources: LocalResources,
  endpoints: LocalEndpoints,
): Record<string, string> {
  return {
    AWS_REGION: resources.region,
    AWS_DEFAULT_REGION: resources.region,
    // The one key s3rver accepts (it verifies signatures); the other local endpoints take any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.awsServices,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.awsServices,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.awsServices,
    // s3rver predates the SDK's default CRC checksums.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    POWERTOOLS_METRICS_NAMESPACE: 'RingCentralMessageAutomation',
  };
}

/** Every function's settings (timeouts, memory and concurrency from infra/function-settings.ts). */
export function localFunctionSpecs(
  resources: LocalResources,
  endpoints: LocalEndpoints,
): LocalFunctionSpec[] {
  const shared = sharedEnvironment(resources, endpoints);
  const secretIds = {
    STATE_TABLE_NAME: resources.tableName,
    CREDENTIALS_SECRET_ID: resources.credentialsSecret,
    SESSION_SECRET_ID: resources.sessionSecret,
  };
  // Nothing per extension: the registry (discovery at start and on its schedule) says which.
  const archive = {
    ...secretIds,
    ARCHIVE_BUCKET_NAME: resources.archiveBucket,
    ARCHIVE_RETENTION_MODE: LOCAL_ARCHIVE_RETENTION.mode,
    ARCHIVE_RETENTION_DAYS: String(LOCAL_ARCHIVE_RETENTION.days),
  };
  const spec = (
    name: LocalFunctionName,
    environment: Record<string, string>,
  ): LocalFunctionSpec => {
    const { timeoutSeconds, memoryMb } = FUNCTION_SETTINGS[name];
    return {
      name,
      timeoutMs: timeoutSeconds * 1000,
      memoryMb,
      concurrency: localConcurrency(name),
      environment: {
        ...shared,
        POWERTOOLS_SERVICE_NAME: name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        ...environment,
      },
    };
  };
  return [
    spec('send-sms', { ...secretIds, SMS_FROM: resources.smsFrom }),
    spec('send-pager', secretIds),
    spec('get-message', secretIds),
    spec('send-sms-batch', { ...secretIds, SMS_FROM: resources.smsFrom }),
    spec('get-sms-batch', secretIds),
    spec('message-status', {
      ...secretIds,
      EVENT_BUS_NAME: resources.eventBusName,
      MESSAGE_STATUS_CHECK_SPACING_SECONDS: String(resources.statusCheckSpacingSeconds),
    }),
    spec('send-fax', {
      ...secretIds,
      FAX_DOCUMENT_BUCKETS: resources.faxDocumentsBucket,
    }),
    spec('webhook', {
      WEBHOOK_SECRET_ID: resources.webhookSecret,
      EVENT_BUS_NAME: resources.eventBusName,
      WEBHOOK_INCLUDE_TEXT: 'false',
      // No ARCHIVE_FUNCTION_NAME, as deployed: changed extensions reach the archive by dispatch.
      STATE_TABLE_NAME: resources.tableName,
      EXTENSIONS_FUNCTION_NAME: 'extensions',
    }),
    spec('token-refresh', { ...secretIds, REFRESH_SCHEDULE_MINUTES: '30' }),
    spec('subscription-keeper', {
      CREDENTIALS_SECRET_ID: resources.credentialsSecret,
      SESSION_SECRET_ID: resources.sessionSecret,
      WEBHOOK_SECRET_ID: resources.webhookSecret,
      WEBHOOK_URL: resources.webhookUrl,
      STATE_TABLE_NAME: resources.tableName,
    }),
    spec('alert', {
      ...secretIds,
      SMS_FROM: resources.smsFrom,
      ALERT_RECIPIENTS: JSON.stringify(resources.alertRecipients),
      ALERT_TEMPLATES: '{}',
    }),
    spec('archive', archive),
    spec('archive-dispatch', {
      STATE_TABLE_NAME: resources.tableName,
      EVENT_BUS_NAME: resources.eventBusName,
      ARCHIVE_FUNCTION_NAME: 'archive',
      ARCHIVE_WORKERS: String(localConcurrency('archive')),
      ARCHIVE_WORKER_TIMEOUT_SECONDS: String(FUNCTION_SETTINGS.archive.timeoutSeconds),
      // On the compressed schedule every dispatch takes every extension, most behind first.
      ARCHIVE_SWEEP_MINUTES: '0',
      ARCHIVE_BATCH_SIZE: '10',
    }),
    spec('purge', {
      ...archive,
      PURGE_RETENTION_DAYS: JSON.stringify(resources.purgeRetentionDays),
      PURGE_DRY_RUN: String(resources.purgeDryRun),
      PURGE_HARD: 'false',
    }),
    spec('extensions', secretIds),
    spec('reconcile', { ...secretIds, ARCHIVE_BUCKET_NAME: resources.archiveBucket }),
    spec('archive-export', archive),
  ];
}
