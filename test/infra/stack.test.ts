import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_THROTTLE } from '../../infra/api-throttle.ts';
import {
  ARCHIVE_LISTING_PROBE_KEY,
  ARCHIVE_LISTING_PROBE_OUTPUT,
} from '../../infra/archive-listing-probe.ts';
import { alarmNamePrefix } from '../../infra/constructs/monitoring.ts';
import { FUNCTION_NAMES, MessageAutomationStack } from '../../infra/message-automation-stack.ts';
import { LOCAL_API_ROUTES } from '../../local/stack/stack.ts';
import { allowedPairs, BASE_CONTEXT, synthStack } from './support/synth.ts';

// One synthesis per configuration for the whole file: constructing the stack is the slow part.
const base = synthStack();
const custom = synthStack({
  ...BASE_CONTEXT,
  objectLock: { enabled: true, retentionDays: 2555 },
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  allowedCallers: [
    'arn:aws:iam::123456789012:role/order-service',
    'arn:aws:iam::123456789012:role/billing/invoicer',
  ],
  faxDocumentBuckets: ['fax-documents'],
  credentialsSecretName: 'ringcentral/credentials',
  credentialsKmsKeyArn:
    'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000',
  faxDocumentKmsKeyArns: [
    'arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  ],
  logRetentionDays: 30,
  retentionDays: { Fax: 90, VoiceMail: 60 },
  schedules: { tokenRefreshMinutes: 20, archive: 'rate(10 minutes)' },
  alertRecipients: { sms: ['+16505550111'], pager: ['101'] },
  alarmEmails: ['ops@example.com'],
  alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:on-call',
});

function functionResource(synth: typeof base, name: (typeof FUNCTION_NAMES)[number]) {
  const made = synth.stack.functions[name];
  if (!made) throw new Error(`function ${name} missing`);
  const resource = synth.template.toJSON().Resources[synth.id(made.function)];
  return { made, resource, properties: resource.Properties };
}

describe('functions', () => {
  it('creates one function per file in functions/, Node 24 on arm64 with source maps', () => {
    // Prepare
    const { template } = base;

    // Act
    const functions = FUNCTION_NAMES.map((name) => functionResource(base, name));

    // Assess
    expect(functions).toHaveLength(17);
    for (const { properties } of functions) {
      expect(properties.Runtime).toBe('nodejs24.x');
      expect(properties.Architectures).toEqual(['arm64']);
      expect(properties.Handler).toBe('index.handler');
      expect(properties.Environment.Variables.NODE_OPTIONS).toBe(
        '--enable-source-maps --max-semi-space-size=1',
      );
      expect(properties.Environment.Variables.MALLOC_ARENA_MAX).toBe('1');
      expect(properties.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBe(
        '/var/task/node-wrapper.sh',
      );
      expect(properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs/) });
    }
    // The seventeen functions, the provider framework of the deploy-time refresh and CDK's
    // AwsCustomResource provider (the deploy-time extension discovery).
    template.resourceCountIs('AWS::Lambda::Function', 19);
  });

  it('sizes timeout and memory per function', () => {
    // Prepare
    const expected: Record<string, [number, number]> = {
      'send-sms': [30, 256],
      'send-pager': [30, 256],
      'send-fax': [30, 512],
      'get-message': [30, 256],
      'send-sms-batch': [30, 512],
      'get-sms-batch': [30, 256],
      'message-status': [60, 256],
      webhook: [10, 256],
      'token-refresh': [60, 256],
      'subscription-keeper': [60, 256],
      alert: [60, 256],
      archive: [240, 1024],
      'archive-dispatch': [60, 256],
      purge: [900, 512],
      extensions: [300, 256],
      reconcile: [900, 512],
      'archive-export': [900, 1024],
    };

    // Act
    const actual = Object.fromEntries(
      FUNCTION_NAMES.map((name) => {
        const { properties } = functionResource(base, name);
        return [name, [properties.Timeout, properties.MemorySize]];
      }),
    );

    // Assess
    expect(actual).toEqual(expected);
  });

  it('gives every function its own log group with the configured retention, KMS-encrypted', () => {
    // Prepare
    const keyId = base.id(base.stack.operationsKey);

    // Act
    const groups = base.template.findResources('AWS::Logs::LogGroup');

    // Assess: seventeen function groups, the API's access logs and the refresh provider's.
    expect(Object.keys(groups)).toHaveLength(19);
    for (const group of Object.values(groups)) {
      expect(group.Properties.RetentionInDays).toBe(365);
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(group.DeletionPolicy).toBe('Retain');
    }
    custom.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('configures each function through environment from the configuration', () => {
    // Prepare
    const table = { Ref: base.id(base.stack.table) };

    // Act
    const sms = functionResource(base, 'send-sms').properties.Environment.Variables;
    const purge = functionResource(custom, 'purge').properties.Environment.Variables;
    const refresh = functionResource(custom, 'token-refresh').properties.Environment.Variables;
    const alert = functionResource(custom, 'alert').properties.Environment.Variables;
    const webhook = functionResource(base, 'webhook').properties.Environment.Variables;

    // Assess
    expect(sms).toMatchObject({
      STATE_TABLE_NAME: table,
      CREDENTIALS_SECRET_ID: { Ref: base.id(base.stack.credentialsSecret) },
      SESSION_SECRET_ID: { Ref: base.id(base.stack.sessionSecret) },
      SMS_FROM: '+16505550100',
    });
    expect(purge).toMatchObject({
      PURGE_RETENTION_DAYS: '{"Fax":90,"VoiceMail":60}',
      PURGE_DRY_RUN: 'true',
    });
    expect(Object.keys(purge).filter((key) => key.includes('EXTENSION'))).toEqual([]);
    expect(refresh.REFRESH_SCHEDULE_MINUTES).toBe('20');
    // An imported credentials secret is passed by name.
    expect(refresh.CREDENTIALS_SECRET_ID).toBe('ringcentral/credentials');
    expect(JSON.parse(alert.ALERT_RECIPIENTS)).toEqual({ sms: ['+16505550111'], pager: ['101'] });
    // New messages reach the archive through the registry and the dispatcher's batches.
    expect(webhook.ARCHIVE_FUNCTION_NAME).toBeUndefined();
    expect(webhook.STATE_TABLE_NAME).toEqual(table);
  });

  it('reserves concurrency for token-refresh and the dispatcher (1) and the archive workers (4)', () => {
    // Act
    const reserved = Object.fromEntries(
      FUNCTION_NAMES.map((name) => [
        name,
        functionResource(base, name).properties.ReservedConcurrentExecutions,
      ]).filter(([, value]) => value !== undefined),
    );

    // Assess
    expect(reserved).toEqual({
      'token-refresh': 1,
      archive: 4,
      'archive-dispatch': 1,
      'archive-export': 1,
    });
  });

  it('sends failed asynchronous invocations of every async function to the failure queue', () => {
    // Prepare
    const queue = base.id(base.stack.deadLetters.functions.queue);
    const asyncFunctions = [
      'token-refresh',
      'subscription-keeper',
      'alert',
      'archive',
      'archive-dispatch',
      'purge',
      'extensions',
      'reconcile',
      'message-status',
      'archive-export',
    ];

    // Act
    const configs = Object.values(base.template.findResources('AWS::Lambda::EventInvokeConfig'));

    // Assess
    expect(configs).toHaveLength(asyncFunctions.length);
    for (const name of asyncFunctions) {
      base.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: base.id(base.stack.functions[name as 'alert']!.function) },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      });
    }
  });
});

describe('least privilege', () => {
  const secret = (synth: typeof base, which: 'credentials' | 'session' | 'webhook') =>
    `{${synth.id(
      which === 'credentials'
        ? synth.stack.credentialsSecret
        : which === 'session'
          ? synth.stack.sessionSecret
          : synth.stack.webhookSecret,
    )}}`;
  const table = `{${base.id(base.stack.table)}.Arn}`;
  const bucket = `{${base.id(base.stack.archive.bucket)}.Arn}`;
  const failures = `{${base.id(base.stack.deadLetters.functions.queue)}.Arn}`;
  const logs = (name: (typeof FUNCTION_NAMES)[number]) => {
    const group = `{${base.id(base.stack.functions[name]!.logGroup)}.Arn}`;
    return [`logs:CreateLogStream on ${group}`, `logs:PutLogEvents on ${group}`];
  };
  const secretsRead = (...which: Array<'credentials' | 'session' | 'webhook'>) =>
    which.map((name) => `secretsmanager:GetSecretValue on ${secret(base, name)}`);
  const partitions = (actions: string[], operator: 'StringEquals' | 'StringLike', keys: string) =>
    actions.map(
      (action) =>
        `dynamodb:${action} on ${table} if ForAllValues:${operator} dynamodb:LeadingKeys=${keys}`,
    );
  const idempotency = partitions(
    ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'],
    'StringLike',
    'idempotency#*',
  );
  // Who sent each message: written by the senders, read by get-message.
  const recordSender = partitions(['PutItem'], 'StringLike', 'sent#*');
  // A sent message put on the status watch (lib/aws/status-watch-store.ts).
  const watchStatus = partitions(['UpdateItem'], 'StringEquals', 'message-status-watch');
  const onFailure = [`sqs:SendMessage on ${failures}`];
  // HeadObject/GetObject of a missing key answers 404 (not 403) only with ListBucket.
  const listArchive = `s3:ListBucket on ${bucket} if StringLike s3:prefix=archive/*`;
  // The shared rate budget's items: every function calling RingCentral's rate-limited API.
  const rateBudget = ['GetItem', 'UpdateItem'].map(
    (action) =>
      `dynamodb:${action} on ${table} if ForAllValues:StringLike dynamodb:LeadingKeys=ratebudget#*`,
  );

  // Written out per function from what lib/aws does for it (see the stack's comments).
  const expected: Record<(typeof FUNCTION_NAMES)[number], string[]> = {
    'send-sms': [
      ...logs('send-sms'),
      ...secretsRead('credentials', 'session'),
      ...idempotency,
      ...recordSender,
      ...watchStatus,
      ...rateBudget,
    ],
    'send-pager': [
      ...logs('send-pager'),
      ...secretsRead('credentials', 'session'),
      ...idempotency,
      ...recordSender,
      ...watchStatus,
      ...rateBudget,
    ],
    'send-fax': [
      ...logs('send-fax'),
      ...secretsRead('credentials', 'session'),
      ...idempotency,
      ...recordSender,
      ...watchStatus,
      ...rateBudget,
    ],
    'send-sms-batch': [
      ...logs('send-sms-batch'),
      ...secretsRead('credentials', 'session'),
      ...idempotency,
      ...rateBudget,
      ...partitions(['PutItem'], 'StringLike', 'batch#*'),
    ],
    'get-sms-batch': [
      ...logs('get-sms-batch'),
      ...secretsRead('credentials', 'session'),
      ...partitions(['GetItem', 'PutItem'], 'StringLike', 'batch#*'),
      ...rateBudget,
    ],
    'get-message': [
      ...logs('get-message'),
      ...secretsRead('credentials', 'session'),
      ...partitions(['GetItem', 'PutItem'], 'StringLike', 'sent#*'),
      ...rateBudget,
    ],
    // The status watch: its partition and its check slot's lease only; its own events only.
    'message-status': [
      ...logs('message-status'),
      ...secretsRead('credentials', 'session'),
      ...rateBudget,
      ...onFailure,
      `events:PutEvents on {${base.id(base.stack.bus)}.Arn} if StringEquals events:detail-type=Message Status Changed and StringEquals events:source=ringcentral-message-automation.sending`,
      ...['DeleteItem', 'Query', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=message-status-watch`,
      ),
      `dynamodb:PutItem on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=lease#message-status-check`,
    ],
    alert: [
      ...logs('alert'),
      ...secretsRead('credentials', 'session'),
      ...idempotency,
      ...rateBudget,
      ...onFailure,
    ],
    'token-refresh': [
      ...logs('token-refresh'),
      ...secretsRead('credentials', 'session'),
      `secretsmanager:PutSecretValue on ${secret(base, 'session')}`,
      ...partitions(['PutItem', 'DeleteItem'], 'StringEquals', 'lease#token-refresh'),
      ...onFailure,
    ],
    // The registry's entries, read to build the filters.
    'subscription-keeper': [
      ...logs('subscription-keeper'),
      ...secretsRead('credentials', 'session', 'webhook'),
      ...rateBudget,
      `dynamodb:Query on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ...onFailure,
    ],
    // markChanged on the registry's entries; discovery started asynchronously; each delivery
    // uuid claimed once (and released when its processing fails).
    webhook: [
      ...logs('webhook'),
      ...secretsRead('webhook'),
      `events:PutEvents on {${base.id(base.stack.bus)}.Arn}`,
      ...partitions(['PutItem', 'DeleteItem'], 'StringLike', 'webhook-delivery#*'),
      `lambda:InvokeFunction on {${base.id(base.stack.functions.extensions!.function)}.Arn}`,
      ...['GetItem', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ),
    ],
    archive: [
      ...logs('archive'),
      ...secretsRead('credentials', 'session'),
      // The sync cursors and the custody heads.
      ...partitions(['GetItem', 'PutItem'], 'StringLike', 'cursor#archive|custody#*'),
      `dynamodb:BatchWriteItem on ${table} if ForAllValues:StringLike dynamodb:LeadingKeys=locator#*`,
      ...rateBudget,
      // Its objects and each run's custody manifest.
      ...['GetObject', 'PutObject', 'AbortMultipartUpload'].flatMap((action) => [
        `s3:${action} on ${bucket}/archive/*`,
        `s3:${action} on ${bucket}/custody/*`,
      ]),
      listArchive,
      `dynamodb:UpdateItem on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ...onFailure,
    ],
    // The registry read, the behind alarm's own item, the bus and the worker.
    'archive-dispatch': [
      ...logs('archive-dispatch'),
      ...['Query', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ),
      ...['GetItem', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension-completeness`,
      ),
      `events:PutEvents on {${base.id(base.stack.bus)}.Arn}`,
      `lambda:InvokeFunction on {${base.id(base.stack.functions.archive!.function)}.Arn}`,
      ...onFailure,
    ],
    purge: [
      ...logs('purge'),
      ...secretsRead('credentials', 'session'),
      ...partitions(['GetItem'], 'StringEquals', 'cursor#archive'),
      ...rateBudget,
      `s3:GetObject on ${bucket}/archive/*`,
      listArchive,
      `s3:PutObject on ${bucket}/reports/purge/*`,
      `s3:AbortMultipartUpload on ${bucket}/reports/purge/*`,
      ...['Query', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ),
      ...onFailure,
    ],
    // The registry's two partitions only (lib/aws/extension-registry.ts).
    extensions: [
      ...logs('extensions'),
      ...secretsRead('credentials', 'session'),
      ...['GetItem', 'Query', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension|extension-policy`,
      ),
      ...rateBudget,
      ...onFailure,
    ],
    // Reads the registry and lists the archive; writes (and reads back) only its own reports.
    reconcile: [
      ...logs('reconcile'),
      ...secretsRead('credentials', 'session'),
      ...rateBudget,
      `dynamodb:Query on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      `s3:ListBucket on ${bucket} if StringLike s3:prefix=archive/*|reports/reconciliation/*`,
      `s3:GetObject on ${bucket}/reports/reconciliation/*`,
      `s3:PutObject on ${bucket}/reports/reconciliation/*`,
      `s3:AbortMultipartUpload on ${bucket}/reports/reconciliation/*`,
      ...onFailure,
    ],
    // The archive's objects and custody, its own cursor, locators and custody heads, the
    // registry read and exportedThrough written.
    'archive-export': [
      ...logs('archive-export'),
      ...secretsRead('credentials', 'session'),
      ...rateBudget,
      ...['GetItem', 'PutItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringLike dynamodb:LeadingKeys=cursor#export|custody#*|locator#*`,
      ),
      `dynamodb:BatchWriteItem on ${table} if ForAllValues:StringLike dynamodb:LeadingKeys=locator#*`,
      ...['Query', 'UpdateItem'].map(
        (action) =>
          `dynamodb:${action} on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ),
      ...['GetObject', 'PutObject', 'AbortMultipartUpload'].flatMap((action) => [
        `s3:${action} on ${bucket}/archive/*`,
        `s3:${action} on ${bucket}/custody/*`,
      ]),
      listArchive,
      ...onFailure,
    ],
  };

  for (const name of FUNCTION_NAMES) {
    it(`${name}: every statement names only the actions and resources it needs`, () => {
      // Prepare
      const role = base.id(base.stack.functions[name]!.role);

      // Act
      const actual = allowedPairs(base.template, role);

      // Assess
      expect(actual).toEqual([...expected[name]].sort());
    });
  }

  it("gives npm run smoke a role of this account with the archive's very listing grant and one key to read", () => {
    // Prepare
    const [probe, ...others] = Object.entries(
      base.template.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('^npm run smoke assumes it') },
      }),
    );
    const archive = allowedPairs(base.template, base.id(base.stack.functions.archive!.role));
    const bucket = base.id(base.stack.archive.bucket);

    // Act
    const pairs = allowedPairs(base.template, probe?.[0] ?? '');

    // Assess
    expect(others).toEqual([]);
    expect(probe?.[1].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: expect.objectContaining({ 'Fn::Join': expect.anything() }) },
      }),
    ]);
    const listing = pairs.filter((pair) => pair.startsWith('s3:ListBucket'));
    expect(listing).toEqual(archive.filter((pair) => pair.startsWith('s3:ListBucket')));
    expect(pairs).toEqual(
      [...listing, `s3:GetObject on {${bucket}.Arn}/${ARCHIVE_LISTING_PROBE_KEY}`].sort(),
    );
    expect(base.template.findOutputs(ARCHIVE_LISTING_PROBE_OUTPUT)).toEqual({
      [ARCHIVE_LISTING_PROBE_OUTPUT]: expect.objectContaining({
        Value: { 'Fn::GetAtt': [probe?.[0], 'Arn'] },
      }),
    });
  });

  it('purge only reads the archive and the cursors: no writes under archive/, the table only for its registry order and rate budget', () => {
    // Act
    const purge = allowedPairs(base.template, base.id(base.stack.functions.purge!.role));

    // Assess
    expect(purge.filter((pair) => /^(events|lambda):/.test(pair))).toEqual([]);
    expect(purge.filter((pair) => /^dynamodb:/.test(pair))).toEqual(
      [
        ...partitions(['GetItem'], 'StringEquals', 'cursor#archive'),
        ...rateBudget,
        `dynamodb:Query on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
        `dynamodb:UpdateItem on ${table} if ForAllValues:StringEquals dynamodb:LeadingKeys=extension`,
      ].sort(),
    );
    expect(
      purge.filter((pair) => pair.includes('/archive/*') && !pair.startsWith('s3:Get')),
    ).toEqual([]);
    expect(purge).toContain(listArchive);
  });

  it('only the dispatcher may start archive runs; the webhook may start discovery', () => {
    // Act
    const invokers = FUNCTION_NAMES.flatMap((name) =>
      allowedPairs(base.template, base.id(base.stack.functions[name]!.role))
        .filter((pair) => pair.startsWith('lambda:'))
        .map((pair) => `${name}: ${pair}`),
    );

    // Assess
    const archive = `{${base.id(base.stack.functions.archive!.function)}.Arn}`;
    expect(invokers.sort()).toEqual([
      `archive-dispatch: lambda:InvokeFunction on ${archive}`,
      `webhook: lambda:InvokeFunction on {${base.id(base.stack.functions.extensions!.function)}.Arn}`,
    ]);
  });

  it('scopes every grant on the state table to the partitions its function touches', () => {
    // Act
    const unscoped = FUNCTION_NAMES.flatMap((name) =>
      allowedPairs(base.template, base.id(base.stack.functions[name]!.role))
        .filter((pair) => pair.startsWith('dynamodb:') && !pair.includes('dynamodb:LeadingKeys='))
        .map((pair) => `${name}: ${pair}`),
    );

    // Assess
    expect(unscoped).toEqual([]);
  });

  it('attaches no managed policy to any function role', () => {
    // Act
    const roles = FUNCTION_NAMES.map(
      (name) => base.template.toJSON().Resources[base.id(base.stack.functions[name]!.role)],
    );

    // Assess
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('only token-refresh may write the session secret', () => {
    // Act
    const writers = FUNCTION_NAMES.filter((name) =>
      allowedPairs(base.template, base.id(base.stack.functions[name]!.role)).some((pair) =>
        pair.startsWith('secretsmanager:PutSecretValue'),
      ),
    );

    // Assess
    expect(writers).toEqual(['token-refresh']);
  });

  it('adds S3 reads of the fax buckets and KMS use of a customer key when configured', () => {
    // Prepare
    const key = custom.stack.config.kmsKeyArn;

    // Act
    const fax = allowedPairs(custom.template, custom.id(custom.stack.functions['send-fax']!.role));
    const archive = allowedPairs(custom.template, custom.id(custom.stack.functions.archive!.role));
    const credentials = allowedPairs(
      custom.template,
      custom.id(custom.stack.functions['send-sms']!.role),
    ).filter((pair) => pair.startsWith('secretsmanager:'));

    // Assess
    expect(fax).toContain('s3:GetObject on arn:{AWS::Partition}:s3:::fax-documents/*');
    expect(archive).toEqual(
      expect.arrayContaining([`kms:Decrypt on ${key}`, `kms:GenerateDataKey on ${key}`]),
    );
    // The imported secret is named by its name with Secrets Manager's random suffix.
    expect(credentials).toContain(
      'secretsmanager:GetSecretValue on arn:{AWS::Partition}:secretsmanager:us-east-1:123456789012:secret:ringcentral/credentials-??????',
    );
  });
});

describe('HTTP API', () => {
  it('routes POST /sms, /fax, /pager, /sms/batches and GET /messages/{messageId}, /sms/batches/{batchId} with IAM auth and /webhook without', () => {
    // Act
    const routes = Object.values(base.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => [route.Properties.RouteKey, route.Properties.AuthorizationType],
    );

    // Assess
    expect(routes.sort()).toEqual([
      ['GET /messages/{messageId}', 'AWS_IAM'],
      ['GET /sms/batches/{batchId}', 'AWS_IAM'],
      ['POST /fax', 'AWS_IAM'],
      ['POST /pager', 'AWS_IAM'],
      ['POST /sms', 'AWS_IAM'],
      ['POST /sms/batches', 'AWS_IAM'],
      ['POST /webhook', 'NONE'],
    ]);
  });

  it('logs access to its log group and throttles the stage', () => {
    // Prepare
    const logGroup = base.id(base.stack.api.accessLogs);

    // Assess
    base.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        Format: Match.stringLikeRegexp('"caller":"\\$context.identity.userArn"'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  it('throttles POST /webhook on its own, after the route exists, with the configured limits', () => {
    // Prepare
    const synth = synthStack({
      ...BASE_CONTEXT,
      webhookThrottle: { rateLimit: 7, burstLimit: 9 },
    });
    const stageId = synth.id(synth.stack.api.stage);
    const routeId = synth.id(synth.stack.api.publicRoutes['/webhook']!);

    // Act
    const stage = synth.template.toJSON().Resources[stageId];

    // Assess
    expect(stage.Properties.RouteSettings).toEqual({
      'POST /webhook': { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
    expect(stage.DependsOn).toContain(routeId);
    expect(
      base.template.toJSON().Resources[base.id(base.stack.api.stage)].Properties.RouteSettings,
    ).toEqual({
      'POST /webhook': {
        // The numbers npm start's gateway throttles its webhook route with.
        ThrottlingRateLimit: DEFAULT_WEBHOOK_THROTTLE.rateLimit,
        ThrottlingBurstLimit: DEFAULT_WEBHOOK_THROTTLE.burstLimit,
      },
    });
    expect(LOCAL_API_ROUTES.find((route) => route.path === '/webhook')?.throttle).toBe(
      DEFAULT_WEBHOOK_THROTTLE,
    );
  });

  it('grants execute-api:Invoke on the three send routes to each configured caller', () => {
    // Prepare
    const api = custom.id(custom.stack.api.api);

    // Act
    const policies = Object.values(custom.template.findResources('AWS::IAM::Policy')).filter(
      (policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('execute-api:Invoke'),
    );

    // Assess
    expect(policies).toHaveLength(2);
    const targets = policies.map((policy) => [policy.Properties.Roles, policy.Properties.Users]);
    expect(targets).toEqual(
      expect.arrayContaining([
        [['order-service'], undefined],
        [['invoicer'], undefined],
      ]),
    );
    for (const policy of policies) {
      const resources = policy.Properties.PolicyDocument.Statement.map(
        (statement: { Resource: unknown }) => JSON.stringify(statement.Resource),
      ).join(' ');
      for (const path of ['/sms', '/fax', '/pager', '/sms/batches']) {
        expect(resources).toContain(`/POST${path}`);
      }
      expect(resources).toContain('/GET/sms/batches/');
      expect(resources).not.toContain('/webhook');
      expect(resources).toContain(api);
    }
    base.template.resourcePropertiesCountIs(
      'AWS::IAM::Policy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'execute-api:Invoke' })]),
        },
      },
      0,
    );
  });
});

describe('customer keys', () => {
  const credentialsKey = custom.stack.config.credentialsKmsKeyArn;
  const faxKey = custom.stack.config.faxDocumentKmsKeyArns[0];
  const decryptions = (name: (typeof FUNCTION_NAMES)[number]) =>
    allowedPairs(custom.template, custom.id(custom.stack.functions[name]!.role)).filter((pair) =>
      pair.startsWith('kms:'),
    );

  it('lets every reader of the imported credentials secret decrypt it through Secrets Manager only', () => {
    // Act
    const readers = FUNCTION_NAMES.filter((name) =>
      decryptions(name).includes(
        `kms:Decrypt on ${credentialsKey} if StringEquals kms:ViaService=secretsmanager.us-east-1.amazonaws.com`,
      ),
    );

    // Assess: every function but the webhook and the dispatcher reads the credentials.
    expect(readers.sort()).toEqual(
      FUNCTION_NAMES.filter((name) => !['webhook', 'archive-dispatch'].includes(name)).sort(),
    );
    expect(decryptions('webhook')).toEqual([]);
  });

  it('lets send-fax decrypt the fax documents through S3 only, and no other function', () => {
    // Act
    const holders = FUNCTION_NAMES.filter((name) =>
      decryptions(name).some((pair) => pair.includes(faxKey!)),
    );

    // Assess
    expect(holders).toEqual(['send-fax']);
    expect(decryptions('send-fax')).toContain(
      `kms:Decrypt on ${faxKey} if StringEquals kms:ViaService=s3.us-east-1.amazonaws.com`,
    );
  });

  it('refuses at synth a key of another account than the one deployed to, naming the key', () => {
    // Act
    const synth = () =>
      synthStack({
        ...BASE_CONTEXT,
        faxDocumentBuckets: ['fax-documents'],
        faxDocumentKmsKeyArns: [
          'arn:aws:kms:us-east-1:210987654321:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        ],
      });

    // Assess
    expect(synth).toThrow(
      /faxDocumentKmsKeyArns\.0 = "arn:aws:kms:us-east-1:210987654321:key\/[-a-e]+": not a KMS key of the deploying account 123456789012;.*Customer keys/,
    );
  });

  it('refuses a credentials key without an imported credentials secret', () => {
    // Act
    const synth = () =>
      synthStack({
        ...BASE_CONTEXT,
        credentialsKmsKeyArn:
          'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000',
      });

    // Assess
    expect(synth).toThrow(/credentialsKmsKeyArn = .*set credentialsSecretName too/);
  });

  it('without an account at synth, fails the deploy by a rule unless it goes to the keys account', () => {
    // Prepare
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        ...BASE_CONTEXT,
        kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
      },
    });

    // Act
    const template = Template.fromStack(new MessageAutomationStack(app, 'NoEnvKeys')).toJSON();

    // Assess
    expect(template.Rules.KeysInDeployingAccount.Assertions).toEqual([
      {
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '123456789012'] },
        AssertDescription: expect.stringContaining('KMS keys of account 123456789012'),
      },
    ]);
  });
});

describe('allowed callers', () => {
  it('refuses at synth a role of another account than the one deployed to, naming the key', () => {
    // Act
    const synth = () =>
      synthStack({
        ...BASE_CONTEXT,
        allowedCallers: ['arn:aws:iam::210987654321:role/order-service'],
      });

    // Assess
    expect(synth).toThrow(
      /allowedCallers\[0\] = "arn:aws:iam::210987654321:role\/order-service": not a role of the deploying account 123456789012;.*Callers in other accounts/,
    );
  });

  it('without an account at synth, fails the deploy by a rule unless it goes to the callers account', () => {
    // Prepare
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        ...BASE_CONTEXT,
        allowedCallers: ['arn:aws:iam::123456789012:role/order-service'],
      },
    });

    // Act
    const template = Template.fromStack(new MessageAutomationStack(app, 'NoEnv')).toJSON();

    // Assess
    expect(template.Rules.CallersInDeployingAccount.Assertions).toEqual([
      {
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '123456789012'] },
        AssertDescription: expect.stringContaining(
          'allowedCallers names roles of account 123456789012',
        ),
      },
    ]);
    expect(base.template.toJSON().Rules?.CallersInDeployingAccount).toBeUndefined();
  });
});

describe('schedules', () => {
  it('runs token-refresh, archive-dispatch, purge, subscription-keeper, extensions, reconcile, message-status and archive-export with retries and a DLQ', () => {
    // Prepare
    const dlq = base.id(base.stack.deadLetters.schedules.queue);
    const expected: Array<[string, string]> = [
      ['token-refresh', 'rate(30 minutes)'],
      ['archive-dispatch', 'rate(5 minutes)'],
      ['purge', 'cron(0 4 * * ? *)'],
      ['subscription-keeper', 'cron(30 3 * * ? *)'],
      ['extensions', 'rate(1 hour)'],
      ['reconcile', 'cron(15 3-23 * * ? *)'],
      ['message-status', 'rate(1 minute)'],
      ['archive-export', 'rate(30 minutes)'],
    ];

    // Assess
    base.template.resourceCountIs('AWS::Scheduler::Schedule', 8);
    for (const [name, expression] of expected) {
      base.template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: expression,
        Target: {
          Arn: { 'Fn::GetAtt': [base.id(base.stack.functions[name as 'purge']!.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: Match.anyValue() },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        },
      });
    }
    custom.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(20 minutes)',
    });
    custom.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(10 minutes)',
    });
    // The archive worker runs only when the dispatcher or the webhook hands it work.
    const archive = { 'Fn::GetAtt': [base.id(base.stack.functions.archive!.function), 'Arn'] };
    const schedules = Object.values(base.template.findResources('AWS::Scheduler::Schedule'));
    expect(
      schedules.filter(
        (schedule) => JSON.stringify(schedule.Properties.Target.Arn) === JSON.stringify(archive),
      ),
    ).toEqual([]);
  });

  it('runs token-refresh through the provider framework on every deploy, so its failure fails the deploy', () => {
    // Prepare
    const refresh = base.id(base.stack.functions['token-refresh']!.function);
    const { refreshAtDeploy } = base.stack;
    const framework = refreshAtDeploy.provider.node.findChild('framework-onEvent');

    // Act
    const resource = base.template.toJSON().Resources[base.id(refreshAtDeploy.resource)];
    const frameworkFunction = base.template.toJSON().Resources[base.id(framework)];
    const again = synthStack().template.toJSON().Resources[base.id(refreshAtDeploy.resource)];

    // Assess: the provider calls token-refresh itself (a function error becomes FAILED).
    expect(resource.Type).toBe('Custom::TokenRefreshAtDeploy');
    expect(resource.Properties.ServiceToken).toEqual({
      'Fn::GetAtt': [base.id(framework), 'Arn'],
    });
    expect(frameworkFunction.Properties.Environment.Variables.USER_ON_EVENT_FUNCTION_ARN).toEqual({
      'Fn::GetAtt': [refresh, 'Arn'],
    });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([refresh]));
    // A property that differs at every synth makes every deploy an Update that runs the refresh.
    expect(again.Properties.deployId).not.toBe(resource.Properties.deployId);
    expect(frameworkFunction.Properties.LoggingConfig.LogGroup).toEqual({
      Ref: base.id(refreshAtDeploy.logGroup),
    });
  });

  it("keeps the refresh provider's logs for the configured retention, with the operations key", () => {
    // Act
    const group =
      custom.template.toJSON().Resources[custom.id(custom.stack.refreshAtDeploy.logGroup)];

    // Assess
    expect(group.Properties.RetentionInDays).toBe(30);
    expect(group.Properties.KmsKeyId).toEqual({
      'Fn::GetAtt': [custom.id(custom.stack.operationsKey), 'Arn'],
    });
  });

  it('invokes extensions (discovery) asynchronously at every deploy, after the forced refresh', () => {
    // Prepare
    const discovery = base.id(base.stack.functions.extensions!.function);
    const callOf = (template: Record<string, unknown>, which: 'Create' | 'Update') => {
      const resources = template.Resources as Record<
        string,
        { Properties: Record<string, unknown> }
      >;
      const property = resources[base.id(base.stack.discoverAtDeploy)]!.Properties[which];
      const [, parts] = (property as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return JSON.parse(
        parts
          .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
          .join(''),
      );
    };

    // Act
    const template = base.template.toJSON();
    const resource = template.Resources[base.id(base.stack.discoverAtDeploy)];
    const call = callOf(template, 'Create');
    const again = callOf(synthStack().template.toJSON(), 'Update');

    // Assess
    expect(call).toMatchObject({
      action: 'invoke',
      parameters: { FunctionName: `<${discovery}>`, InvocationType: 'Event' },
    });
    expect(JSON.parse(call.parameters.Payload)).toEqual({
      source: 'deploy',
      deployId: base.stack.refreshAtDeploy.deployId,
    });
    // AwsCustomResource runs onUpdate only when its call changes: the next synth's differs.
    expect(again.parameters.Payload).not.toBe(callOf(template, 'Update').parameters.Payload);
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([discovery, base.id(base.stack.refreshAtDeploy)]),
    );
  });

  it('alarms when the token may not list or read the account extensions', () => {
    // Assess
    base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExtensionConfigurationErrors',
      Namespace: 'RingCentralMessageAutomation',
      Dimensions: [{ Name: 'service', Value: 'extensions' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmDescription: Match.stringLikeRegexp('ReadAccounts.*ReadExtensions'),
    });
  });
});

describe('reconciliation', () => {
  it('alarms on missing messages and on extensions near eviction, naming where to look', () => {
    // Assess
    for (const [metric, statistic, description] of [
      ['ReconciliationMissingMessages', 'Sum', 'Messages missing from the archive'],
      ['ExtensionsNearEviction', 'Maximum', 'Unarchived messages close to eviction'],
    ] as const) {
      base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'RingCentralMessageAutomation',
        Dimensions: [{ Name: 'service', Value: 'reconcile' }],
        Statistic: statistic,
        Period: 86_400,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmDescription: Match.stringLikeRegexp(description),
      });
    }
  });
});

describe('archive bucket', () => {
  it('is private, TLS only, SSE-KMS, versioned, logged, tiered and retained', () => {
    // Prepare
    const bucket = base.id(base.stack.archive.bucket);
    const logBucket = base.id(base.stack.archive.logBucket);

    // Act
    const resource = base.template.toJSON().Resources[bucket];

    // Assess
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    base.template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: logBucket },
        LogFilePrefix: 'archive/',
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
          }),
        ]),
      },
    });
    expect(resource.Properties.ObjectLockEnabled).not.toBe(true);
    base.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    // The archive, its access logs, and the Athena results of the archive search.
    base.template.resourceCountIs('AWS::S3::Bucket', 3);
  });

  it('uses Object Lock in compliance mode and the customer key when configured', () => {
    // Prepare
    const key = custom.stack.config.kmsKeyArn;

    // Assess
    custom.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
  });
});

describe('state table', () => {
  it('is on demand with point-in-time recovery, encryption and the TTL attribute', () => {
    // Assess
    base.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    base.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('secrets', () => {
  it('creates the credentials secret describing its JSON shape, or imports it by name', () => {
    // Assess
    base.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('"clientId".*"clientSecret".*"jwt".*"server"'),
    });
    base.template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    custom.template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });
});

describe('events', () => {
  it("has a bus, a rule for Alert events and one for this stack's alarms, both with a DLQ", () => {
    // Prepare
    const alert = base.id(base.stack.functions.alert!.function);
    const dlq = base.id(base.stack.deadLetters.events.queue);
    const target = Match.arrayWith([
      Match.objectLike({
        Arn: { 'Fn::GetAtt': [alert, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        RetryPolicy: Match.anyValue(),
      }),
    ]);

    // Assess
    base.template.resourceCountIs('AWS::Events::EventBus', 1);
    base.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: base.id(base.stack.bus) },
      EventPattern: { 'detail-type': ['Alert'] },
      Targets: target,
    });
    base.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [
          {
            'anything-but': [
              { 'Fn::GetAtt': [base.id(base.stack.monitoring.alarms['alert-errors']!), 'Arn'] },
            ],
          },
        ],
        detail: { alarmName: [{ prefix: 'Test.' }], state: { value: ['ALARM'] } },
      },
      Targets: target,
    });
  });

  it("matches every alarm of the stack by its name's prefix, and no other stack's", () => {
    // Prepare
    const alarms = Object.values(base.template.findResources('AWS::CloudWatch::Alarm'));

    // Assess
    expect(alarms.length).toBeGreaterThan(50);
    for (const alarm of alarms) expect(alarm.Properties.AlarmName).toMatch(/^Test\.[\w-]+$/);
    // A stack name never holds a dot, so `Test.` is no prefix of `Test-staging.` alarms.
    expect(alarmNamePrefix('Test-staging').startsWith(alarmNamePrefix('Test'))).toBe(false);
  });

  it("keeps the alarm rule's pattern under EventBridge's 2,048 characters at the longest names", () => {
    // Prepare: the longest stack name (128) and alarm ARN, in the longest partition and region.
    const [rule] = Object.values(base.template.findResources('AWS::Events::Rule')).filter(
      (found) => found.Properties.EventPattern?.source?.[0] === 'aws.cloudwatch',
    );
    const longestArn = `arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:${'a'.repeat(255)}`;
    const longestPrefix = alarmNamePrefix('S'.repeat(128));

    // Act
    const pattern = JSON.stringify(rule?.Properties.EventPattern, (_key, value) => {
      if (value === alarmNamePrefix('Test')) return longestPrefix;
      return value && typeof value === 'object' && 'Fn::GetAtt' in value ? longestArn : value;
    });

    // Assess: the documented default quota, "Event pattern size: 2048 characters".
    expect(pattern).toContain(`"prefix":"${longestPrefix}"`);
    expect(pattern.length).toBeLessThan(2048);
  });

  it('hands message-store notifications with updated messages to message-status, with a DLQ', () => {
    // Prepare
    const messageStatus = base.id(base.stack.functions['message-status']!.function);
    const dlq = base.id(base.stack.deadLetters.events.queue);

    // Assess
    base.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: base.id(base.stack.bus) },
      EventPattern: {
        source: ['ringcentral-message-automation.webhook'],
        'detail-type': ['RingCentral Message Store Change'],
        detail: { changes: { updatedCount: [{ numeric: ['>', 0] }] } },
      },
      Targets: Match.arrayWith([
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [messageStatus, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ]),
    });
  });
});

describe('alarms and dashboard', () => {
  it('alarms on function errors, DLQ depth, scheduler failures, 429s and archive lag, to SNS', () => {
    // Prepare
    const topic = base.id(base.stack.alarmTopic);

    // Act
    const alarms = Object.values(base.template.findResources('AWS::CloudWatch::Alarm'));

    // Assess: 17 function errors, 4 DLQs, scheduler, 429s (two alarms: 14 functions call
    // RingCentral, 10 metrics per alarm), the oldest complete archive, no
    // dispatch, archive permission errors, extension configuration errors, the operations ones,
    // reconciliation's missing messages and near eviction; event age and dropped events of each
    // of the 10 asynchronously invoked functions among the operations ones.
    expect(alarms).toHaveLength(59);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    const metricNames = alarms.flatMap((alarm) =>
      alarm.Properties.MetricName
        ? [alarm.Properties.MetricName]
        : (alarm.Properties.Metrics ?? []).flatMap(
            (metric: { MetricStat?: { Metric: { MetricName: string } } }) =>
              metric.MetricStat ? [metric.MetricStat.Metric.MetricName] : [],
          ),
    );
    expect(new Set(metricNames)).toEqual(
      new Set([
        'Errors',
        'ApproximateNumberOfMessagesVisible',
        'TargetErrorCount',
        'InvocationsFailedToBeSentToDeadLetterCount',
        'RingCentral429s',
        'OldestCompleteArchiveAgeSeconds',
        'Invocations',
        'ArchivePermissionErrors',
        'Throttles',
        'AsyncEventAge',
        'AsyncEventsDropped',
        '5xx',
        'Latency',
        'ReadThrottleEvents',
        'WriteThrottleEvents',
        'TokenRefreshRejected',
        'SubscriptionBlacklisted',
        'SubscriptionCreated',
        'PurgeDeleted',
        'ExtensionConfigurationErrors',
        'ReconciliationMissingMessages',
        'ExtensionsNearEviction',
      ]),
    );
    base.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [base.id(base.stack.operationsKey), 'Arn'] },
    });
    custom.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('watches event age and dropped events of every function invoked asynchronously', () => {
    // Prepare: the functions given an on-failure destination are the ones invoked asynchronously.
    const asynchronous = FUNCTION_NAMES.filter(
      (name) => base.stack.functions[name]!.invokedAsynchronously,
    );
    const { alarms } = base.stack.monitoring;

    // Act
    const watched = asynchronous.filter(
      (name) => alarms[`${name}-event-age`] && alarms[`${name}-events-dropped`],
    );

    // Assess
    expect([...asynchronous].sort()).toEqual(
      [
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
      ].sort(),
    );
    expect(watched).toEqual(asynchronous);
    expect(Object.keys(alarms).filter((id) => id.startsWith('get-message-event'))).toEqual([]);
  });

  it('pages for what an SRE expects, each alarm saying what to do', () => {
    // Prepare
    const expected = [
      'archive-throttles',
      'archive-event-age',
      'alert-events-dropped',
      'api-5xx',
      'api-latency',
      'table-throttles',
      'session-expiring',
      'refresh-rejected',
      'subscription-blacklisted',
      'subscription-missing',
      'purge-unusual',
    ];
    const { alarms } = base.stack.monitoring;

    // Act
    const descriptions = Object.fromEntries(
      Object.entries(alarms).map(([alarmId, alarm]) => [
        alarmId,
        JSON.stringify(
          base.stack.resolve(
            base.template.toJSON().Resources[base.id(alarm)].Properties.AlarmDescription,
          ),
        ),
      ]),
    );

    // Assess: each description is a runbook line; a DLQ's names its queue and how to read it.
    expect(Object.keys(alarms)).toEqual(expect.arrayContaining(expected));
    for (const [alarmId, description] of Object.entries(descriptions)) {
      expect(description.length, alarmId).toBeGreaterThan(80);
      expect(description, alarmId).toMatch(/aws |Check|check|read|Read|Run|run/);
    }
    for (const [name, made] of Object.entries(base.stack.deadLetters)) {
      const alarmId = Object.keys(alarms).find(
        (id) => id.endsWith('-dlq') && descriptions[id]?.includes(base.id(made.queue)),
      );
      expect(alarmId, name).toBeDefined();
      expect(descriptions[alarmId ?? ''], name).toContain('aws sqs receive-message --queue-url');
    }
    const purge = base.template.toJSON().Resources[base.id(alarms['purge-unusual'] as never)];
    expect(purge.Properties.ComparisonOperator).toBe('GreaterThanUpperThreshold');
    const session = base.template.toJSON().Resources[base.id(alarms['session-expiring'] as never)];
    expect(session.Properties.TreatMissingData).toBe('breaching');
  });

  it('lets CloudWatch publish to the alarm topic for exactly these alarms, from this account', () => {
    // Prepare
    const topic = base.id(base.stack.alarmTopic);
    const alarmIds = Object.values(base.stack.monitoring.alarms).map((alarm) => base.id(alarm));

    // Act
    const policies = Object.values(base.template.findResources('AWS::SNS::TopicPolicy'));
    const statements = policies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
    );
    const allow = statements.filter((statement) => statement.Effect === 'Allow');

    // Assess: enforceSSL's Deny stays; the one Allow is CloudWatch's, conditioned.
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Topics).toEqual([{ Ref: topic }]);
    expect(statements.some((statement) => statement.Effect === 'Deny')).toBe(true);
    expect(allow).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnEquals: {
            'aws:SourceArn': alarmIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
          },
        },
      },
    ]);
  });

  it('keeps undeliverable alarm emails in a dead-letter queue that is itself alarmed', () => {
    // Prepare
    const queue = base.stack.deadLetters.alarms.queue;

    // Act
    const subscriptions = Object.values(
      base.template.findResources('AWS::SNS::Subscription', {
        Properties: { Protocol: 'email' },
      }),
    );

    // Assess
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]?.Properties.Endpoint).toBe('ops@example.com');
    expect(subscriptions[0]?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [base.id(queue), 'Arn'] },
    });
    expect(base.stack.monitoring.alarms['undelivered-alarms-dlq']).toBeDefined();
  });

  it('also sends every alarm to an existing topic when alarmTopicArn is set', () => {
    // Act
    const alarms = Object.values(custom.template.findResources('AWS::CloudWatch::Alarm'));

    // Assess
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([
        { Ref: custom.id(custom.stack.alarmTopic) },
        'arn:aws:sns:us-east-1:123456789012:on-call',
      ]);
    }
  });

  it('outputs what DEPLOY.md has the deployer use: the test alarm and the functions to invoke', () => {
    // Act
    const outputs = base.template.findOutputs('*');

    // Assess
    expect(outputs.TestAlarmName?.Value).toEqual({
      Ref: base.id(base.stack.monitoring.alarms['scheduler-failures'] as never),
    });
    expect(outputs.TokenRefreshFunctionName?.Value).toEqual({
      Ref: base.id(base.stack.functions['token-refresh'].function),
    });
    expect(outputs.SubscriptionKeeperFunctionName?.Value).toEqual({
      Ref: base.id(base.stack.functions['subscription-keeper'].function),
    });
  });

  it('shows sends, archive progress and bytes, purges, rate-limit waits and errors', () => {
    // Act
    const dashboards = Object.values(base.template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(base.stack.resolve(dashboards[0]?.Properties.DashboardBody));

    // Assess
    expect(dashboards).toHaveLength(1);
    for (const metric of [
      'SmsSent',
      'PagerSent',
      'FaxSent',
      'ArchivedMessages',
      'ArchivedBytes',
      'PurgeDeleted',
      'RateLimitWaits',
      'RateLimitWaitTime',
      'RingCentral429s',
      'Errors',
    ]) {
      expect(body).toContain(metric);
    }
  });
});

describe('outputs', () => {
  it('hold every output the deploy steps read, and DEPLOY.md lists them all', () => {
    // Prepare
    const deploy = readFileSync(new URL('../../docs/DEPLOY.md', import.meta.url), 'utf8');
    const outputs = Object.keys(base.template.toJSON().Outputs ?? {});

    // Act: `$(output Name)` in the steps, and the "Outputs:" list.
    const read = [...deploy.matchAll(/\$\(output (\w+)\)/g)].map((match) => match[1]);
    const listed = /Outputs: ((?:`\w+`,?\s*)+)\./.exec(deploy)?.[1] ?? '';

    // Assess
    expect(read.length).toBeGreaterThan(5);
    for (const output of read) expect(outputs).toContain(output);
    expect([...listed.matchAll(/`(\w+)`/g)].map((match) => match[1]).sort()).toEqual(
      [...outputs].sort(),
    );
  });
});
