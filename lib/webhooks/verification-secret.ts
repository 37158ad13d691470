/**
 * Reads the webhook secret `{ verificationToken }` through Powertools' SecretsProvider, the
 * project's one secrets mechanism. Both the webhook (to check deliveries) and the subscription
 * keeper (to create the subscription with it) use it.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '../validation/zod.ts';

const webhookSecretSchema = z.object({
  verificationToken: z.string().check(z.minLength(16), z.maxLength(64), z.regex(/^[\x21-\x7e]+$/)),
});

/** The webhook secret is missing its token or holds a malformed one (the value is never shown). */
export class WebhookSecretError extends Error {
  override name = 'WebhookSecretError';
  readonly secretId: string;
  constructor(secretId: string, problem: string, options?: { cause?: unknown }) {
    super(`Secret ${secretId} ${problem}`, options);
    this.secretId = secretId;
  }
}

/**
 * A cached reader of the verification token. RingCentral allows 1-64 characters; we require
 * at least 16 printable ASCII characters so a weak token fails at deployment, not in production.
 */
export function createVerificationTokenReader(options: {
  secretId: string;
  client?: SecretsManagerClient;
  /** Cache age in seconds; default 300 (the token changes only with a new subscription). */
  maxAgeSeconds?: number;
}): () => Promise<string> {
  const provider = new SecretsProvider(
    options.client ? { awsSdkV3Client: options.client } : undefined,
  );
  return async () => {
    const raw = await provider.get(options.secretId, { maxAge: options.maxAgeSeconds ?? 300 });
    let value: unknown;
    try {
      value = typeof raw === 'string' ? JSON.parse(raw) : raw;
    } catch (error) {
      throw new WebhookSecretError(options.secretId, 'is not JSON', { cause: error });
    }
    const parsed = webhookSecretSchema.safeParse(value);
    if (!parsed.success) {
      throw new WebhookSecretError(
        options.secretId,
        `is invalid: verificationToken ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
      );
    }
    return parsed.data.verificationToken;
  };
}
