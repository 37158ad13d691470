#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it with tsx): one stack, configured from context
 * (`cdk.json` or `-c key=value`, see docs/DEPLOY.md), checked by cdk-nag and cfn-guard.
 */
import { App } from 'aws-cdk-lib';
import { MessageAutomationStack } from './message-automation-stack.ts';
import { addPolicyValidation } from './policy-validation.ts';

const app = new App();
new MessageAutomationStack(app, 'RingCentralMessageAutomation', {
  description: 'RingCentral message store automation: send, sync, archive, purge, alert',
});
addPolicyValidation(app);
app.synth();
