/**
 * The functions of the stack, by their file name in functions/. No CDK import here, so `npm start`
 * (local/stack) runs exactly these without loading aws-cdk-lib.
 */
export const FUNCTION_NAMES = [
  'send-sms',
  'send-pager',
  'send-fax',
  'get-message',
  'send-sms-batch',
  'get-sms-batch',
  'message-status',
  'webhook',
  'token-refresh',
  'subscription-keeper',
  'alert',
  'archive',
  'archive-dispatch',
  'purge',
  'extensions',
  'reconcile',
  'archive-export',
] as const;

/** A function's name (its file in functions/). */
export type FunctionName = (typeof FUNCTION_NAMES)[number];
