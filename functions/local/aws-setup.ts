/**
 * What the CLI says when AWS is not set up for a `--table` command: a missing table, no
 * credentials or region, rejected or denied credentials each become a UsageError (exit 2) that
 * says what to do, attached to the SDK client as middleware so every command gets it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UsageError } from './cli-io';

/** The table named with `--table` does not exist (where the client looked): bad input, exit 2. */
export class TableNotFoundError extends UsageError {
  constructor(table: string, where: string) {
    super(`table ${table} not found (${where}); check --table and --region / AWS_REGION${where.includes('endpoint') ? ' / --endpoint' : ''}`);
  }
}

/**
 * Every command reaches the table through this client, so a missing table is reported here once:
 * DynamoDB's ResourceNotFoundException (by name; only the DynamoDB client, so a missing secret in
 * Secrets Manager, which uses the same name, is not mistaken for it) becomes a TableNotFoundError.
 */
export function reportMissingTable(client: DynamoDBClient, table: string, endpoint: string | undefined): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (!(err instanceof Error) || err.name !== 'ResourceNotFoundException') throw err;
        const region = await client.config.region().catch(() => 'unknown');
        throw new TableNotFoundError(table, `region ${region}${endpoint ? `, endpoint ${endpoint}` : ''}`);
      }
    },
    { step: 'initialize', name: 'shipnowTableNotFound' },
  );
}

/** AWS is not set up on this machine (no credentials, no region, rejected credentials): bad input with its fix, exit 2. */
export class AwsSetupError extends UsageError {
  constructor(message: string) {
    super(message);
  }
}

/** What to do about an error of the AWS environment, or undefined when it is something else. */
export function awsSetupFix(err: unknown, alternative?: string): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const credentials = `set AWS_PROFILE to a profile in ~/.aws/config (after \`aws configure\` or \`aws sso login --profile NAME\`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary keys)${alternative ? `; ${alternative}` : ''}`;
  if (err.name === 'CredentialsProviderError' || /could not load credentials/i.test(err.message)) return `no AWS credentials found: ${credentials}`;
  if (/region is missing/i.test(err.message)) return 'no AWS region: pass --region R or set AWS_REGION (or give the AWS_PROFILE profile a region)';
  if (['ExpiredTokenException', 'ExpiredToken', 'UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(err.name)) {
    return `AWS rejected the credentials (${err.name}: ${err.message.split('\n')[0]}): ${credentials}`;
  }
  if (err.name === 'AccessDeniedException' || err.name === 'AccessDenied') {
    return `AWS denied the request (${err.message.split('\n')[0]}): use credentials allowed to use this table (or bucket, secret)`;
  }
  return undefined;
}

/** What `--table` commands add to an AWS setup fix: the embedded store needs no AWS setup. */
export const WITHOUT_TABLE = 'without --table, the embedded store needs none';

/** The part of any AWS SDK v3 client used here (DynamoDB, S3, Secrets Manager). */
interface AnyAwsClient {
  middlewareStack: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each client types its own inputs and outputs
    add(middleware: (next: (args: any) => Promise<any>) => (args: any) => Promise<any>, options: { step: 'initialize'; name: string }): void;
  };
}

/** Every AWS client a command makes reports a missing or rejected AWS setup as an AwsSetupError. */
export function explainAwsSetupErrors(client: AnyAwsClient, alternative?: string): void {
  client.middlewareStack.add(
    (next) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (err) {
        const fix = awsSetupFix(err, alternative);
        if (fix) throw new AwsSetupError(fix);
        throw err;
      }
    },
    { step: 'initialize', name: 'shipnowAwsSetup' },
  );
}
