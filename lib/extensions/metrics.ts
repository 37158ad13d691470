/**
 * The metrics of the extension registry's discovery (namespace and `service` dimension as every
 * function's). Named here once: the function publishes them, the stack alarms on them.
 */
export const ExtensionMetric = {
  listed: 'ExtensionsListed',
  archived: 'ExtensionsArchived',
  skipped: 'ExtensionsSkipped',
  new: 'ExtensionsNew',
  gone: 'ExtensionsGone',
  returned: 'ExtensionsReturned',
  /** Alarmed: the token may not list or read the account's extensions. */
  configurationErrors: 'ExtensionConfigurationErrors',
} as const;
