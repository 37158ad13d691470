import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES } from '../../infra/message-automation-stack.ts';
import { allowedPairs, BASE_CONTEXT, synthStack } from './support/synth.ts';

// One synthesis per configuration for the whole file: constructing the stack is the slow part.
const base = synthStack();
const custom = synthStack({
  ...BASE_CONTEXT,
  objectLock: { enabled: true, retentionDays: 2555 },
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  allowedCallers: [
    'arn:aws:iam::123456789012:role/order-service',
    'arn:aws:iam::123456789012:user/ops',
  ],
  faxDocumentBuckets: ['fax-documents'],
  credentialsSecretName: 'ringcentral/credentials',
  logRetentionDays: 30,
  retentionDays: { Fax: 90, VoiceMail: 60 },
  schedules: { tokenRefreshMinutes: 20, archive: 'rate(5 minutes)' },
  alertRecipients: { sms: ['+16505550111'], pager: ['101'] },
  alarmEmails: ['ops@example.com'],
});

function functionResource(synth: typeof base, name: (typeof FUNCTION_NAMES)[number]) {
  const made = synth.stack.functions[name];
  if (!made) throw new Error(`function ${name} missing`);
  const resource = synth.template.toJSON().Resources[synth.id(made.function)];
  return { made, resource, properties: resource.Properties };
}

describe('functions', () => {
  it('creates one NodejsFunction per file in functions/, Node 24 on arm64 with source maps', () => {
    // Prepare
    const { template } = base;

    // Act
    const functions = FUNCTION_NAMES.map((name) => functionResource(base, name));

    // Assess
    expect(functions).toHaveLength(11);
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
    // The eleven functions plus CDK's AwsCustomResource provider (one for both deploy-time invokes).
    template.resourceCountIs('AWS::Lambda::Function', 12);
  });

  it('sizes timeout and memory per function', () => {
    // Prepare
    const expected: Record<string, [number, number]> = {
      'send-sms': [30, 256],
      'send-pager': [30, 256],
      'send-fax': [30, 512],
      'get-message': [30, 256],
      webhook: [10, 256],
      'token-refresh': [60, 256],
      'subscription-keeper': [60, 256],
      alert: [60, 256],
      archive: [840, 1024],
      purge: [900, 512],
      extensions: [300, 256],
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

    // Assess: eleven function groups and the API's access log group.
    expect(Object.keys(groups)).toHaveLength(12);
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
      ARCHIVE_EXTENSIONS: '~',
    });
    expect(refresh.REFRESH_SCHEDULE_MINUTES).toBe('20');
    // An imported credentials secret is passed by name.
    expect(refresh.CREDENTIALS_SECRET_ID).toBe('ringcentral/credentials');
    expect(JSON.parse(alert.ALERT_RECIPIENTS)).toEqual({ sms: ['+16505550111'], pager: ['101'] });
    expect(webhook.ARCHIVE_FUNCTION_NAME).toEqual({
      Ref: base.id(base.stack.functions.archive!.function),
    });
  });

  it('reserves concurrency 1 for token-refresh and archive only', () => {
    // Act
    const reserved = FUNCTION_NAMES.filter(
      (name) => functionResource(base, name).properties.ReservedConcurrentExecutions !== undefined,
    );

    // Assess
    expect(reserved.sort()).toEqual(['archive', 'token-refresh']);
    for (const name of reserved) {
      expect(functionResource(base, name).properties.ReservedConcurrentExecutions).toBe(1);
    }
  });

  it('sends failed asynchronous invocations of every async function to the failure queue', () => {
    // Prepare
    const queue = base.id(base.stack.deadLetters.functions.queue);
    const asyncFunctions = [
      'token-refresh',
      'subscription-keeper',
      'alert',
      'archive',
      'purge',
      'extensions',
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
  const idempotency = ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'].map(
    (action) => `dynamodb:${action} on ${table}`,
  );
  const onFailure = [`sqs:SendMessage on ${failures}`];
  // HeadObject/GetObject of a missing key answers 404 (not 403) only with ListBucket.
  const listArchive = `s3:ListBucket on ${bucket} if StringLike s3:prefix=archive/*`;

  // Written out per function from what lib/aws does for it (see the stack's comments).
  const expected: Record<(typeof FUNCTION_NAMES)[number], string[]> = {
    'send-sms': [...logs('send-sms'), ...secretsRead('credentials', 'session'), ...idempotency],
    'send-pager': [...logs('send-pager'), ...secretsRead('credentials', 'session'), ...idempotency],
    'send-fax': [...logs('send-fax'), ...secretsRead('credentials', 'session'), ...idempotency],
    'get-message': [
      ...logs('get-message'),
      ...secretsRead('credentials', 'session'),
      `dynamodb:GetItem on ${table}`,
      `dynamodb:PutItem on ${table}`,
    ],
    alert: [
      ...logs('alert'),
      ...secretsRead('credentials', 'session'),
      ...idempotency,
      ...onFailure,
    ],
    'token-refresh': [
      ...logs('token-refresh'),
      ...secretsRead('credentials', 'session'),
      `secretsmanager:PutSecretValue on ${secret(base, 'session')}`,
      `dynamodb:PutItem on ${table}`,
      `dynamodb:DeleteItem on ${table}`,
      ...onFailure,
    ],
    'subscription-keeper': [
      ...logs('subscription-keeper'),
      ...secretsRead('credentials', 'session', 'webhook'),
      ...onFailure,
    ],
    webhook: [
      ...logs('webhook'),
      ...secretsRead('webhook'),
      `events:PutEvents on {${base.id(base.stack.bus)}.Arn}`,
      `lambda:InvokeFunction on {${base.id(base.stack.functions.archive!.function)}.Arn}`,
    ],
    archive: [
      ...logs('archive'),
      ...secretsRead('credentials', 'session'),
      `dynamodb:GetItem on ${table}`,
      `dynamodb:PutItem on ${table}`,
      `dynamodb:BatchWriteItem on ${table} if ForAllValues:StringLike dynamodb:LeadingKeys=locator#*`,
      `s3:GetObject on ${bucket}/archive/*`,
      `s3:PutObject on ${bucket}/archive/*`,
      `s3:AbortMultipartUpload on ${bucket}/archive/*`,
      listArchive,
      ...onFailure,
    ],
    purge: [
      ...logs('purge'),
      ...secretsRead('credentials', 'session'),
      `dynamodb:GetItem on ${table}`,
      `s3:GetObject on ${bucket}/archive/*`,
      listArchive,
      `s3:PutObject on ${bucket}/reports/purge/*`,
      `s3:AbortMultipartUpload on ${bucket}/reports/purge/*`,
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

  it('purge only reads the archive and the cursors: no writes under archive/, none to the table or bus', () => {
    // Act
    const purge = allowedPairs(base.template, base.id(base.stack.functions.purge!.role));

    // Assess
    expect(purge.filter((pair) => /^(events|lambda):/.test(pair))).toEqual([]);
    expect(purge.filter((pair) => /^dynamodb:/.test(pair))).toEqual([
      `dynamodb:GetItem on ${table}`,
    ]);
    expect(
      purge.filter((pair) => pair.includes('/archive/*') && !pair.startsWith('s3:Get')),
    ).toEqual([]);
    expect(purge).toContain(listArchive);
  });

  it('only the webhook may invoke a function, and only archive', () => {
    // Act
    const invokers = FUNCTION_NAMES.flatMap((name) =>
      allowedPairs(base.template, base.id(base.stack.functions[name]!.role))
        .filter((pair) => pair.startsWith('lambda:'))
        .map((pair) => `${name}: ${pair}`),
    );

    // Assess
    expect(invokers).toEqual([
      `webhook: lambda:InvokeFunction on {${base.id(base.stack.functions.archive!.function)}.Arn}`,
    ]);
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
  it('routes POST /sms, /fax, /pager and GET /messages/{messageId} with IAM auth and /webhook without', () => {
    // Act
    const routes = Object.values(base.template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => [route.Properties.RouteKey, route.Properties.AuthorizationType],
    );

    // Assess
    expect(routes.sort()).toEqual([
      ['GET /messages/{messageId}', 'AWS_IAM'],
      ['POST /fax', 'AWS_IAM'],
      ['POST /pager', 'AWS_IAM'],
      ['POST /sms', 'AWS_IAM'],
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
        [undefined, ['ops']],
      ]),
    );
    for (const policy of policies) {
      const resources = policy.Properties.PolicyDocument.Statement.map(
        (statement: { Resource: unknown }) => JSON.stringify(statement.Resource),
      ).join(' ');
      for (const path of ['/sms', '/fax', '/pager']) expect(resources).toContain(`/POST${path}`);
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

describe('schedules', () => {
  it('runs token-refresh, archive, purge, subscription-keeper and extensions with retries and a DLQ', () => {
    // Prepare
    const dlq = base.id(base.stack.deadLetters.schedules.queue);
    const expected: Array<[string, string]> = [
      ['token-refresh', 'rate(30 minutes)'],
      ['archive', 'rate(15 minutes)'],
      ['purge', 'cron(0 4 * * ? *)'],
      ['subscription-keeper', 'cron(30 3 * * ? *)'],
      ['extensions', 'rate(1 hour)'],
    ];

    // Assess
    base.template.resourceCountIs('AWS::Scheduler::Schedule', 5);
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
      ScheduleExpression: 'rate(5 minutes)',
    });
  });

  it('invokes token-refresh with {"force":true} at deploy', () => {
    // Prepare
    const refresh = base.id(base.stack.functions['token-refresh']!.function);

    // Act
    const resource = base.template.toJSON().Resources[base.id(base.stack.refreshAtDeploy)];
    const [, parts] = resource.Properties.Create['Fn::Join'] as [string, unknown[]];
    const call = JSON.parse(
      parts
        .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
        .join(''),
    );

    // Assess
    expect(resource.Type).toBe('Custom::AWS');
    expect(call).toMatchObject({
      service: 'Lambda',
      action: 'invoke',
      parameters: {
        FunctionName: `<${refresh}>`,
        InvocationType: 'RequestResponse',
        Payload: '{"force":true}',
      },
    });
    expect(resource.DependsOn).toEqual(expect.arrayContaining([refresh]));
  });

  it('invokes extensions (discovery) asynchronously at deploy, after the forced refresh', () => {
    // Prepare
    const discovery = base.id(base.stack.functions.extensions!.function);

    // Act
    const resource = base.template.toJSON().Resources[base.id(base.stack.discoverAtDeploy)];
    const [, parts] = resource.Properties.Create['Fn::Join'] as [string, unknown[]];
    const call = JSON.parse(
      parts
        .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
        .join(''),
    );

    // Assess
    expect(call).toMatchObject({
      action: 'invoke',
      parameters: {
        FunctionName: `<${discovery}>`,
        InvocationType: 'Event',
        Payload: '{"source":"deploy"}',
      },
    });
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
        detail: { state: { value: ['ALARM'] } },
      },
      Targets: target,
    });
  });
});

describe('alarms and dashboard', () => {
  it('alarms on function errors, DLQ depth, scheduler failures, 429s and archive lag, to SNS', () => {
    // Prepare
    const topic = base.id(base.stack.alarmTopic);

    // Act
    const alarms = Object.values(base.template.findResources('AWS::CloudWatch::Alarm'));

    // Assess: 11 function errors, 3 DLQs, scheduler, 429s, archive lag and archive stalled,
    // extension configuration errors.
    expect(alarms).toHaveLength(19);
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
        'CursorLagSeconds',
        'Invocations',
        'ExtensionConfigurationErrors',
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
