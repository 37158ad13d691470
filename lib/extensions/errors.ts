/**
 * The errors of the extension registry and its discovery. A missing permission is a
 * configuration error an operator must fix (alarmed), never a transient failure or a silent skip.
 */

/** What RingCentral must grant for discovery to see the account's extensions (FACTS.md). */
export const DISCOVERY_PERMISSIONS = {
  /** The app's permission for the extension list and reads. */
  app: 'ReadAccounts',
  /** The service user's permission (through its role) for other extensions. */
  user: 'ReadExtensions',
  /** A role that carries it for every extension of the account. */
  role: 'an administrator role (e.g. Super Admin) whose scope is the whole account',
} as const;

/**
 * The service user's token may not list or read the account's other extensions (RingCentral's
 * 403 CMN-401 / CMN-408). Names what is missing; `cause` is RingCentral's error.
 */
export class ExtensionsConfigurationError extends Error {
  override readonly name = 'ExtensionsConfigurationError';
  /** The permission RingCentral named, else the one the failed request needs. */
  readonly permission: string;
  /** What the failed request was: listing the extensions or reading another one. */
  readonly operation: 'list' | 'read';
  constructor(
    operation: 'list' | 'read',
    permission: string | undefined,
    options?: { cause?: unknown; extensionId?: string },
  ) {
    const named = permission ?? DISCOVERY_PERMISSIONS.user;
    const what =
      operation === 'list'
        ? 'list the account extensions'
        : `read another extension (${options?.extensionId ?? 'unknown id'})`;
    super(
      `The RingCentral service user may not ${what}: grant the app permission ` +
        `${DISCOVERY_PERMISSIONS.app} and the user permission ${named} ` +
        `(${DISCOVERY_PERMISSIONS.role}); until then no other extension is archived`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.permission = named;
    this.operation = operation;
  }
}

/** An archive policy that does not validate (unknown type, malformed id, not a list). */
export class InvalidArchivePolicyError extends Error {
  override readonly name = 'InvalidArchivePolicyError';
}

/** A progress or change write for an extension discovery never registered. */
export class ExtensionNotRegisteredError extends Error {
  override readonly name = 'ExtensionNotRegisteredError';
  readonly extensionId: string;
  constructor(extensionId: string) {
    super(`Extension ${extensionId} is not in the registry (discovery has not listed it)`);
    this.extensionId = extensionId;
  }
}
