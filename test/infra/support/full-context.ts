/**
 * A configuration with every documented key set to a value other than its default, shared by
 * the synth tests (template, function environment, cdk-nag and cfn-guard) so that no key can be
 * documented yet never synthesised with a value of its own.
 */
/** Every key set, none at its default (test/infra/config.test.ts checks both). */
export const FULL_CONTEXT = {
  stage: 'prod',
  smsFrom: '+16505550177',
  retentionDays: { Fax: 90, SMS: 365, VoiceMail: 60, Pager: 30 },
  purgeDryRun: false,
  purgeHard: true,
  schedules: {
    tokenRefreshMinutes: 20,
    archive: 'rate(5 minutes)',
    purge: 'cron(0 2 * * ? *)',
    subscriptionKeeper: 'cron(15 1 * * ? *)',
    archiveExport: 'rate(15 minutes)',
  },
  archiveStartDate: '2021-06-01T00:00:00Z',
  allowedCallers: ['arn:aws:iam::123456789012:role/order-service'],
  alertRecipients: { sms: ['+16505550111'], pager: ['101', { extensionNumber: '102' }] },
  alertTemplates: { alert: { sms: 'ALERT {{title}}' }, disk: 'Disk {{message}}' },
  alertPagerFrom: '62000009',
  objectLock: { enabled: true, retentionDays: 2555 },
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555',
  archiveTransitions: { infrequentAccessDays: 60, glacierDays: 120 },
  webhookUrl: 'https://hooks.example.com/ringcentral',
  webhookIncludeText: true,
  credentialsSecretName: 'ringcentral/credentials',
  credentialsKmsKeyArn:
    'arn:aws:kms:us-east-1:123456789012:key/66666666-7777-8888-9999-000000000000',
  faxDocumentBuckets: ['fax-documents', 'fax-covers'],
  faxDocumentKmsKeyArns: [
    'arn:aws:kms:us-east-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  ],
  apiThrottle: { rateLimit: 50, burstLimit: 100 },
  webhookThrottle: { rateLimit: 25, burstLimit: 30 },
  logRetentionDays: 30,
  alarmEmails: ['ops@example.com', 'on-call@example.com'],
  alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:on-call',
  archiveLagAlarmMinutes: 120,
};
