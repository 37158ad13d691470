import type { CfnManagedPolicy, ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../lib/archive/manifest.ts';
import { glueColumns } from '../../lib/search/glue-columns.ts';
import { synthStack } from './support/synth.ts';

const { stack, template } = synthStack();

interface PolicyStatementJson {
  Action: string | string[];
  Condition?: unknown;
  Resource: unknown;
}

function resourceOf(type: string): Record<string, unknown> {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return (found[0] as { Properties: Record<string, unknown> }).Properties;
}

/** A managed policy's statements, as synthesized. */
function statementsOf(policy: ManagedPolicy): PolicyStatementJson[] {
  const document = (policy.node.defaultChild as CfnManagedPolicy).policyDocument;
  return (stack.resolve(document) as { Statement: PolicyStatementJson[] }).Statement;
}

describe('archive search on Athena', () => {
  it('gives the Glue table the columns of the schema that writes message.json, so they cannot drift', () => {
    // Prepare
    const table = resourceOf('AWS::Glue::Table') as {
      TableInput: { StorageDescriptor: { Columns: unknown[] } };
    };
    const written = buildManifest({
      record: {
        id: '1',
        uri: 'https://platform.ringcentral.com/restapi/v1.0/account/1/extension/2/message-store/1',
        creationTime: '2026-03-01T00:00:00.000Z',
        from: { phoneNumber: '+16505550100' },
        to: [{ phoneNumber: '+16505550101' }],
        type: 'SMS',
        direction: 'Inbound',
        subject: 'hello',
      },
      attachments: [],
    });

    // Act
    const columns = table.TableInput.StorageDescriptor.Columns;

    // Assess
    expect(columns).toEqual(glueColumns().map(({ name, type }) => ({ Name: name, Type: type })));
    const names = columns.map((column) => (column as { Name: string }).Name);
    for (const field of Object.keys(written)) expect(names).toContain(field.toLowerCase());
    const message = glueColumns().find((column) => column.name === 'message')?.type ?? '';
    for (const field of [
      'creationtime',
      'type',
      'direction',
      'subject',
      'from:struct<phonenumber',
      'to:array<struct<phonenumber',
    ]) {
      expect(message).toContain(field);
    }
  });

  it('projects partitions over the key layout and reads pretty-printed JSON with the Ion SerDe', () => {
    // Act
    const table = resourceOf('AWS::Glue::Table') as {
      TableInput: {
        Parameters: Record<string, string>;
        PartitionKeys: unknown[];
        StorageDescriptor: { SerdeInfo: unknown };
      };
    };

    // Assess
    expect(table.TableInput.PartitionKeys).toEqual([
      { Name: 'account', Type: 'string' },
      { Name: 'extension', Type: 'string' },
      { Name: 'day', Type: 'string' },
    ]);
    expect(table.TableInput.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.account.type': 'injected',
      'projection.extension.type': 'injected',
      'projection.day.type': 'date',
      'projection.day.format': 'yyyy/MM/dd',
    });
    expect(JSON.stringify(table.TableInput.Parameters['storage.location.template'])).toMatch(
      /\/archive\/\$\{account\}\/\$\{extension\}\/\$\{day\}\//,
    );
    expect(table.TableInput.StorageDescriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'com.amazon.ionhiveserde.IonHiveSerDe',
    });
  });

  it('enforces the workgroup result location, encryption and a scan cutoff', () => {
    // Act
    const workGroup = resourceOf('AWS::Athena::WorkGroup') as {
      WorkGroupConfiguration: Record<string, unknown>;
    };

    // Assess
    expect(workGroup.WorkGroupConfiguration).toMatchObject({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
      ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } },
    });
  });

  it('grants a search exactly: queries in its workgroup, its table, message objects under archive/, its results', () => {
    // Act
    const statements = statementsOf(stack.search.searchPolicy);

    // Assess
    expect(statements.map((statement) => statement.Action)).toEqual([
      [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ],
      ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartitions'],
      's3:ListBucket',
      's3:GetObject',
      ['s3:GetBucketLocation', 's3:ListBucket'],
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      ['kms:Decrypt', 'kms:GenerateDataKey'],
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });

  it('grants a legal hold exactly: list and read message objects and their versions, set their hold', () => {
    // Act
    const statements = statementsOf(stack.search.legalHoldPolicy);

    // Assess
    expect(statements.map((statement) => statement.Action)).toEqual([
      ['s3:ListBucket', 's3:ListBucketVersions'],
      ['s3:GetObject', 's3:GetObjectLegalHold', 's3:PutObjectLegalHold'],
    ]);
    expect(statements[0]?.Condition).toEqual({ StringLike: { 's3:prefix': ['archive/*'] } });
    expect(JSON.stringify(statements)).toContain('/archive/*');
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|PutObjectRetention|Delete/);
  });

  it('grants a verification exactly: list and read messages and manifests, read the custody heads', () => {
    // Act
    const statements = statementsOf(stack.search.verifyPolicy);
    const outputs = template.findOutputs('*');

    // Assess
    expect(statements.map((statement) => statement.Action)).toEqual([
      's3:ListBucket',
      's3:GetObject',
      'dynamodb:GetItem',
    ]);
    expect(statements[0]?.Condition).toEqual({
      StringLike: { 's3:prefix': ['archive/*', 'custody/*'] },
    });
    expect(JSON.stringify(statements[1]?.Resource)).toMatch(/\/archive\/\*.*\/custody\/\*/);
    expect(statements[2]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['custody#*'] },
    });
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"|Put|Delete|Update/);
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ArchiveSearchPolicyArn',
        'LegalHoldPolicyArn',
        'ArchiveVerifyPolicyArn',
      ]),
    );
  });
});
