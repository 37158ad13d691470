#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it with tsx): one stack, configured from context
 * (`cdk.json` or `-c key=value`, see docs/DEPLOY.md), checked by cdk-nag and cfn-guard.
 */
import { App } from 'aws-cdk-lib';
import { InfraConfigError, stackNameFor } from './config.ts';
import { MessageAutomationStack } from './message-automation-stack.ts';
import { addPolicyValidation } from './policy-validation.ts';

const app = new App();
try {
  new MessageAutomationStack(app, stackNameFor(app.node), {
    description: 'RingCentral message store automation: send, sync, archive, purge, alert',
  });
} catch (error) {
  // A configuration mistake is the user's to fix: its message says what and how; a stack
  // trace into zod would only bury it. Anything else is a bug and keeps its trace.
  if (!(error instanceof InfraConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
addPolicyValidation(app);
app.synth();
