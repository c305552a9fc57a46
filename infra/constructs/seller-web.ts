import { ArnFormat, CfnOutput, Duration, Fn, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, InvokeMode, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DEFAULT_SECRETS_PREFIX } from '../../functions/adapters/secrets';
import { ENV } from '../../functions/constants';
import { SentinelFunction } from './sentinel-function';
import type { SellerSecrets } from './seller-secrets';
import type { SentinelTable } from './sentinel-table';

export interface SellerWebProps {
  table: SentinelTable;
  /** Domain of the sellers' inbound addresses (shown on the setup page). */
  inboundDomain: string;
  /** Name prefix of the SP-API secrets (default `shipnow-sentinel/sp-api/`): the LWA app. */
  secretsPrefix?: string;
  /** The stack's per-seller secrets: the web writes a seller's `sp-api` refresh token there. */
  sellerSecrets: SellerSecrets;
  /** The app's ID in Solution Provider Portal (`amzn1.sp.solution....`); absent: authorization says "not set up". */
  applicationId?: string;
  /** The app is in draft: `version=beta` on the consent redirect. */
  draftApp?: boolean;
  /** Where sellers reach the pages when not at the Function URL itself (a CloudFront alias). */
  publicOrigin?: string;
  /**
   * Reserved concurrency (default 5): the most instances, and so in-memory rate-limit buckets,
   * there can be; also the most the endpoint can cost in parallel invocations.
   */
  reservedConcurrency?: number;
}

/**
 * The seller's pages (functions/handlers/seller-web.ts) on a Lambda Function URL: the SP-API
 * website authorization (login and redirect URI), setup, status, acknowledge / snooze.
 *
 * `authType NONE` on purpose: sellers open the pages from an email or a chat message, without AWS
 * credentials; every page but the authorize start needs a per-seller signed, expiring link
 * (HMAC under the link key, a generated secret here), and the authorization callback needs a
 * signed single-use state. No CORS: the pages call only themselves. BUFFERED responses (pages are
 * small). See SECURITY.md.
 *
 * Access: the table (read/write: sellers, orders' acknowledgements, used states), the link key
 * secret (read), the LWA app secret (read), and the sellers' SP-API secrets (create / write).
 */
export class SellerWeb extends Construct {
  readonly function: SentinelFunction;
  readonly url: FunctionUrl;
  readonly linkKey: Secret;
  /** Where sellers reach the pages, without the trailing slash (the Function URL, or `publicOrigin`). */
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: SellerWebProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const secretsPrefix = props.secretsPrefix ?? DEFAULT_SECRETS_PREFIX;

    this.linkKey = new Secret(this, 'LinkKey', {
      description: 'ShipNow Sentinel: HMAC keys of the signed links, one per line, current first (rotate: add a new first line)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });

    this.function = new SentinelFunction(this, 'Function', {
      handlerFile: 'seller-web.ts',
      description: "Seller web: authorize with Amazon, setup, status, acknowledge (Function URL)",
      timeout: Duration.seconds(15),
      reservedConcurrentExecutions: props.reservedConcurrency ?? 5,
      environment: {
        [ENV.LINK_KEY_SECRET]: this.linkKey.secretArn,
        [ENV.INBOUND_DOMAIN]: props.inboundDomain,
        [ENV.SP_API_SECRETS_PREFIX]: secretsPrefix,
        ...(props.applicationId ? { [ENV.SP_API_APPLICATION_ID]: props.applicationId } : {}),
        ...(props.draftApp ? { [ENV.SP_API_DRAFT_APP]: 'true' } : {}),
        ...(props.publicOrigin ? { [ENV.WEB_PUBLIC_ORIGIN]: props.publicOrigin } : {}),
      },
    });
    props.table.grantReadWriteTo(this.function);
    this.linkKey.grantRead(this.function);

    const secretArn = (name: string) => stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.function.addToRolePolicy(
      new PolicyStatement({ sid: 'ReadLwaApp', effect: Effect.ALLOW, actions: ['secretsmanager:GetSecretValue'], resources: [secretArn(`${secretsPrefix}lwa-app-*`)] }),
    );
    // A seller's refresh token, written when it authorizes (nothing else of any seller's secrets).
    props.sellerSecrets.grant(this.function, 'write', ['sp-api']);

    this.url = this.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });
    // The Function URL ends with '/': the base URL of the links does not.
    this.publicBaseUrl = props.publicOrigin ? props.publicOrigin.replace(/\/$/, '') : `https://${Fn.select(2, Fn.split('/', this.url.url))}`;

    new CfnOutput(stack, 'SellerWebUrl', { value: this.url.url, description: 'Seller pages (Function URL); give sellers <SellerWebUrl>authorize' });
    new CfnOutput(stack, 'SpApiRedirectUri', {
      value: props.publicOrigin ? `${props.publicOrigin.replace(/\/$/, '')}/authorize/callback` : `${this.url.url}authorize/callback`,
      description: 'OAuth redirect URI to register for the SP-API app (login URI: <SellerWebUrl>authorize)',
    });

    const tableId = stack.getLogicalId(props.table.table.node.defaultChild as CfnElement);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    this.function.acknowledge(
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.' },
      { id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`, reason: 'Access to the Sentinel table includes its sparse due index; the index belongs to the same table definition.' },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${secretsPrefix}seller/*]`,
        reason: 'The authorization creates one secret per seller under a fixed name prefix; a prefix wildcard is the narrowest grant for secrets that do not exist yet.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${secretsPrefix}lwa-app-*]`,
        reason: 'The one LWA app secret; Secrets Manager adds a random suffix to its ARN.',
      },
    );
    Validations.of(this.linkKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link key is a manual two-step (add a new first line, drop the old line after the longest link lifetime, 30 days: SECURITY.md); an automatic rotation replacing the value would break every link already sent.',
    });
  }

  /**
   * Let `fn` put signed links to these pages into what it sends (alerts, the weekly report): the
   * pages' base URL and the link key's ARN in its environment, read access to the key.
   */
  grantLinkSigning(fn: SentinelFunction): void {
    fn.addEnvironment(ENV.WEB_BASE_URL, this.publicBaseUrl);
    fn.addEnvironment(ENV.LINK_KEY_SECRET, this.linkKey.secretArn);
    this.linkKey.grantRead(fn);
  }
}
