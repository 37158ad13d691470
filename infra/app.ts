#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { MessageAutomationStack } from './message-automation-stack.ts';

/**
 * The CDK app: one stack holding every function, the archive bucket, the state table and the
 * secrets. Configuration comes from context (`cdk.json` or `-c key=value`).
 */
const app = new App();
new MessageAutomationStack(app, 'RingCentralMessageAutomation', {
  description: 'RingCentral message store automation: send, sync, archive, purge, alert',
});
app.synth();
