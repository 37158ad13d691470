/**
 * Signers that are not the local stack's own code, so the gateway's SigV4 verification is checked
 * against independent implementations: the AWS SDK's signer (@smithy/signature-v4, which every
 * SDK client uses) and curl's `--aws-sigv4`.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';

const run = promisify(execFile);

/** The SDK's checksum interface over node:crypto (the hash, not the signing, is ours). */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac(
            'sha256',
            typeof secret === 'string'
              ? secret
              : ArrayBuffer.isView(secret)
                ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
                : Buffer.from(secret),
          );
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not needed');
  }
}

/** An access key pair, with the session token of temporary credentials. */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** A request as the tests send it. */
export interface TestRequest {
  url: string;
  body: string;
  headers?: Record<string, string>;
}

/** Headers that sign `request` with the AWS SDK's SigV4 signer. */
export async function sdkSignedHeaders(
  request: TestRequest,
  key: AccessKey,
  options?: { region?: string; service?: string; signingDate?: Date },
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const signer = new SignatureV4({
    credentials: key,
    region: options?.region ?? 'us-east-1',
    service: options?.service ?? 'execute-api',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...request.headers },
      body: request.body,
    },
    options?.signingDate ? { signingDate: options.signingDate } : {},
  );
  return signed.headers as Record<string, string>;
}

/** POSTs `request` signed by the SDK's signer; returns status and body. */
export async function postSignedBySdk(
  request: TestRequest,
  key: AccessKey,
  options?: { region?: string; signingDate?: Date; bodySent?: string },
): Promise<{ status: number; body: string; contentType: string | null }> {
  const headers = await sdkSignedHeaders(request, key, options);
  const response = await fetch(request.url, {
    method: 'POST',
    headers,
    body: options?.bodySent ?? request.body,
  });
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

/** POSTs `request` signed by this machine's curl (`--aws-sigv4`); returns status and body. */
export async function postSignedByCurl(
  request: TestRequest,
  key: AccessKey,
  region = 'us-east-1',
): Promise<{ status: number; body: string }> {
  const headerArgs = Object.entries(request.headers ?? {}).flatMap(([name, value]) => [
    '-H',
    `${name}: ${value}`,
  ]);
  const { stdout } = await run('curl', [
    '-sS',
    '--aws-sigv4',
    `aws:amz:${region}:execute-api`,
    '--user',
    `${key.accessKeyId}:${key.secretAccessKey}`,
    ...headerArgs,
    '--data-binary',
    request.body,
    '-w',
    '\n%{http_code}',
    request.url,
  ]);
  const split = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(split + 1)), body: stdout.slice(0, split) };
}
