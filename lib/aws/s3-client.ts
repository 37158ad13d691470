/**
 * The one way this project builds an S3 client. Against AWS: the SDK's standard configuration
 * (region, credentials, endpoint from the environment). Against a local store (an explicit
 * endpoint such as s3rver's, or AWS_ENDPOINT_URL_S3 in the environment): path-style addressing,
 * and checksums only where required, because local stores predate the SDK's default checksums.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** Options of {@link createS3Client}. */
export interface S3ClientOptions {
  /** Where AWS_ENDPOINT_URL_S3 is read; default `process.env`. */
  environment?: NodeJS.ProcessEnv;
  /** A local store's endpoint (with its region and credentials), instead of the environment's. */
  local?: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Credentials other than the standard chain's (e.g. an assumed role's), where no `local`. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Creates the S3 client; see the module comment. */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const environment = options.environment ?? process.env;
  const credentials = options.credentials ? { credentials: options.credentials } : {};
  if (!options.local && !environment.AWS_ENDPOINT_URL_S3) return new S3Client(credentials);
  const config: S3ClientConfig = {
    ...credentials,
    ...(options.local ?? {}),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  return new S3Client(config);
}
