import { Stack } from 'aws-cdk-lib';

/**
 * The deployment of the whole system. Resources arrive with the functions that need them; until
 * then the stack synthesises to an empty template so that `cdk synth` can be checked from day one.
 */
export class MessageAutomationStack extends Stack {}
