import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, type IPolicyValidationContext } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applicableRules,
  controlTowerRules,
  TemplateScopedCfnGuard,
  templateResourceTypes,
} from '../../infra/template-scoped-guard.ts';

const directory = mkdtempSync(join(tmpdir(), 'scoped-guard-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Writes a template holding these resources and returns its path. */
function templateFile(name: string, resources: Record<string, unknown>): string {
  const path = join(directory, `${name}.template.json`);
  writeFileSync(path, JSON.stringify({ Resources: resources }));
  return path;
}

/** What CDK hands a validation plugin for one template file. */
function validationContext(templatePath: string): IPolicyValidationContext {
  return {
    templatePaths: [templatePath],
    stackTemplates: [
      { stackConstructPath: 'Test', templatePath, accountId: undefined, region: undefined },
    ],
    appConstruct: new App(),
  };
}

/** Careless resources of several services: each breaks at least one Control Tower rule. */
const CARELESS = {
  Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
  Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
  Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } },
  Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: false } },
  Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
  Function: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x' } },
  Permission: {
    Type: 'AWS::Lambda::Permission',
    Properties: { Action: 'lambda:InvokeFunction', FunctionName: 'f', Principal: '*' },
  },
  Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: 'a', StageName: 's' } },
};

describe('TemplateScopedCfnGuard', () => {
  it('reports exactly the findings of the full Control Tower rule set', () => {
    // Prepare
    const context = validationContext(templateFile('careless', CARELESS));

    // Act
    const full = new CfnGuardValidator().validate(context);
    const scoped = new TemplateScopedCfnGuard().validate(context);

    // Assess
    expect(full.violations.length).toBeGreaterThan(5);
    expect(scoped).toEqual(full);
  });

  it('passes a template the full rule set passes, and one it has no rule for', () => {
    // Prepare
    const custom = validationContext(templateFile('custom', { R: { Type: 'Custom::Thing' } }));

    // Act
    const full = new CfnGuardValidator().validate(custom);
    const scoped = new TemplateScopedCfnGuard().validate(custom);

    // Assess
    expect(full).toEqual({ success: true, violations: [] });
    expect(scoped).toEqual(full);
  });

  it('keeps the validator name and rule ids, so acknowledgements read as before', () => {
    // Act
    const scoped = new TemplateScopedCfnGuard();
    const full = new CfnGuardValidator();

    // Assess
    expect(scoped.name).toBe('cdk-validator-cfnguard');
    expect(scoped.ruleIds).toEqual(full.ruleIds);
    expect(scoped.version).toBe(full.version);
  });
});

describe('applicableRules', () => {
  it('keeps the rules naming a type the template holds and drops the others', () => {
    // Prepare
    const rules = controlTowerRules();
    const present = templateResourceTypes([templateFile('logs', { L: CARELESS.Logs })]);

    // Act
    const kept = applicableRules(rules, present).map((rule) => rule.path);

    // Assess: the log-group controls (retention, encryption) stay; RDS's go.
    expect(kept.some((path) => path.endsWith('ct-cloudwatch-pr-2.guard'))).toBe(true);
    expect(kept.some((path) => path.endsWith('ct-cloudwatch-pr-3.guard'))).toBe(true);
    expect(kept.some((path) => /ct-rds-/.test(path))).toBe(false);
    expect(kept.length).toBeLessThan(rules.length / 10);
  });

  it('keeps a rule whose text names no resource type', () => {
    // Prepare
    const rules = [{ path: 'untyped.guard', resourceTypes: new Set<string>() }];

    // Act
    const kept = applicableRules(rules, new Set(['AWS::S3::Bucket']));

    // Assess
    expect(kept).toEqual(rules);
  });

  it('reads every shipped rule with at least one type', () => {
    // Act
    const rules = controlTowerRules();

    // Assess
    expect(rules.length).toBeGreaterThan(200);
    expect(rules.filter((rule) => rule.resourceTypes.size === 0)).toEqual([]);
  });
});
