/**
 * A SigV4-signed GET to an IAM-authorised route, with the signer the local gateway verifies
 * against (local/stack/sigv4.ts); temporary credentials send their session token as a signed
 * header, as the SDK's signer does.
 */
import { sha256Hex, signRequest } from '../../local/stack/sigv4.ts';

/** Credentials to sign with. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** The HTTP status of a signed GET of `url`. */
export async function signedGetStatus(
  url: URL,
  credentials: SigningCredentials,
  region: string,
): Promise<number> {
  const headers: Record<string, string> = {
    host: url.host,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const signed = signRequest(
    {
      method: 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      headers: Object.entries(headers),
      payloadSha256: sha256Hex(''),
    },
    credentials,
    { region, service: 'execute-api' },
  );
  const response = await fetch(url, { headers: { ...headers, ...signed } });
  await response.arrayBuffer();
  return response.status;
}
