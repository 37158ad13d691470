import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Registers the policy checks every synth runs: cdk-nag's AwsSolutions and Serverless packs and
 * cfn-guard with the Control Tower proactive controls. Any finding not acknowledged in code
 * (infra/nag-acknowledgements.ts, each with its reason) fails the synth.
 */
export function addPolicyValidation(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
    new CfnGuardValidator(),
  );
}
