/**
 * Synthesises the stack for assertions without bundling (esbuild runs in cdk-synth.test.ts):
 * `aws:cdk:bundling-stacks: []` makes every function's code asset (infra/function-bundles.ts)
 * skip esbuild and reference the project directory instead.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { InfraConfigInput } from '../../../infra/config.ts';
import { MessageAutomationStack } from '../../../infra/message-automation-stack.ts';

/** The smallest valid configuration: a sender, and a person the alarms reach. */
export const BASE_CONTEXT = { smsFrom: '+16505550100', alarmEmails: ['ops@example.com'] } as const;

/** A stack, its template and a logical-id lookup. */
export interface SynthesisedStack {
  stack: MessageAutomationStack;
  template: Template;
  /** The logical id of a construct's CloudFormation resource (or of a CfnElement). */
  id(construct: IConstruct): string;
}

/** Builds and synthesises one stack (no bundling, dummy environment, offline). */
export function synthStack(
  context: Record<string, unknown> = BASE_CONTEXT,
  config?: Partial<InfraConfigInput>,
): SynthesisedStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new MessageAutomationStack(app, 'Test', {
    env: { account: '123456789012', region: 'us-east-1' },
    ...(config ? { config } : {}),
  });
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    id: (construct) => {
      const element = (construct.node.defaultChild ?? construct) as CfnElement;
      return Stack.of(construct).resolve(Stack.of(construct).getLogicalId(element)) as string;
    },
  };
}

/** A policy resource written as a readable string: Ref -> `X`, GetAtt -> `X.Attr`, joins flattened. */
export function describeResource(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('Ref' in record) return `{${String(record.Ref)}}`;
    if ('Fn::GetAtt' in record) {
      const [target, attribute] = record['Fn::GetAtt'] as [string, string];
      return `{${target}.${attribute}}`;
    }
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(describeResource).join(separator);
    }
  }
  return JSON.stringify(value);
}

/** A statement's condition as text: `StringLike s3:prefix=archive/*`, operators and keys sorted. */
function describeCondition(condition: Record<string, Record<string, unknown>>): string {
  return Object.entries(condition)
    .flatMap(([operator, keys]) =>
      Object.entries(keys).map(
        ([key, values]) => `${operator} ${key}=${[values].flat().map(describeResource).join('|')}`,
      ),
    )
    .sort()
    .join(' and ');
}

/**
 * Every `action on resource` pair the role's inline policies allow, sorted; a conditional grant
 * reads `action on resource if <condition>`. Fails on Deny, NotAction or NotResource, which the
 * stack never uses for its functions.
 */
export function allowedPairs(template: Template, roleLogicalId: string): string[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const pairs: string[] = [];
  for (const policy of Object.values(policies)) {
    const roles = (policy.Properties.Roles ?? []) as Array<{ Ref?: string }>;
    if (!roles.some((role) => role.Ref === roleLogicalId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Array<
      Record<string, unknown>
    >) {
      if (statement.Effect !== 'Allow' || statement.NotAction || statement.NotResource) {
        throw new Error(`unexpected statement shape: ${JSON.stringify(statement)}`);
      }
      const actions = [statement.Action].flat() as string[];
      const resources = [statement.Resource].flat();
      const condition = statement.Condition
        ? ` if ${describeCondition(statement.Condition as Record<string, Record<string, unknown>>)}`
        : '';
      for (const action of actions) {
        for (const resource of resources) {
          pairs.push(`${action} on ${describeResource(resource)}${condition}`);
        }
      }
    }
  }
  return [...new Set(pairs)].sort();
}
