/**
 * The AWS credentials of the Lambda bundles: stands in for `@aws-sdk/credential-provider-node`
 * (an esbuild alias set in infra/constructs/sentinel-function.ts), whose `defaultProvider` every
 * SDK client calls. The Lambda runtime hands a function its role's credentials in environment
 * variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); where a runtime serves
 * them over HTTP instead (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI), the SDK's HTTP
 * provider reads them. The Node default chain would also try SSO, INI files, credential processes,
 * web identity and the EC2 metadata service, none of which exists in Lambda: its providers and the
 * STS/SSO clients they bring are about 100 kB of every bundle, compiled on every cold start.
 * The CLI and the tests keep the SDK's full default chain (no alias there).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';

type Init = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];
type Provider = ReturnType<typeof fromEnv>;
type AwsCredentialIdentity = Awaited<ReturnType<Provider>>;

export function defaultProvider(init: Init = {}): Provider {
  const env = fromEnv(init);
  // fromHttp checks its variables when it is made: only made when they are set.
  let http: Provider | undefined;
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    // Environment credentials do not change during the life of the process; HTTP ones carry their expiry.
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 5 * 60_000)) return cached;
    const overHttp = Boolean(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI || process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);
    cached = overHttp && !process.env.AWS_ACCESS_KEY_ID ? await (http ??= fromHttp(init))() : await env();
    return cached;
  };
}
