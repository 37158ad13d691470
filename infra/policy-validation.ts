import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TemplateScopedCfnGuard } from './template-scoped-guard.ts';

/**
 * A plugin whose findings are all errors. cfn-guard reports violations without a severity, and
 * cdk-nag reports its warning-level rules as warnings; once CDK has removed the acknowledged
 * findings it recomputes a report's success as "no violation of severity error", so an
 * unacknowledged guard finding printed ERROR (the report's display default) while the synth
 * passed, and a nag warning passed silently. Every finding must be fixed or acknowledged.
 */
export class FindingsAreErrors implements IPolicyValidationPlugin {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];

  constructor(private readonly plugin: IPolicyValidationPlugin) {
    // The name is the namespace acknowledgements use (`cdk-validator-cfnguard::<rule>`).
    this.name = plugin.name;
    if (plugin.version !== undefined) this.version = plugin.version;
    if (plugin.ruleIds !== undefined) this.ruleIds = plugin.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.plugin.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => ({
        ...violation,
        severity: 'error',
      })),
    };
  }
}

/**
 * Registers the policy checks every synth runs: cdk-nag's AwsSolutions and Serverless packs and
 * cfn-guard with the Control Tower proactive controls (those that can apply to the template, see
 * {@link TemplateScopedCfnGuard}). Any finding not acknowledged in code
 * (infra/nag-acknowledgements.ts, each with its reason) fails the synth.
 */
export function addPolicyValidation(app: App): void {
  Validations.of(app).addPlugins(
    new FindingsAreErrors(new AwsSolutionsChecks(app, { verbose: true })),
    new FindingsAreErrors(new ServerlessChecks(app, { verbose: true })),
    new FindingsAreErrors(new TemplateScopedCfnGuard()),
  );
}
