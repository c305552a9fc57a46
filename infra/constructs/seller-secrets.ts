/**
 * Where each seller's secrets live on AWS (functions/adapters/ssm-seller-secrets.ts): SSM
 * Parameter Store SecureStrings, standard tier, `<prefix>seller/<sellerId>/<sp-api|imap>`. The
 * parameters are made by `shipnow` and the functions at run time (one per seller), never by the
 * stack: the stack only decides the key and grants access.
 *
 * Key: the default profile creates a customer managed key (rotation on, $1 a month, its use in
 * CloudTrail under a key you control and can disable to revoke every seller at once); the lean
 * profile uses the AWS managed `alias/aws/ssm` (no monthly fee, no key policy to keep).
 *
 * Any function that reads or writes seller secrets gets exactly that with
 * `grantSellerSecrets(fn, 'read' | 'write', names?)`: `ssm:GetParameter` (read) or
 * `ssm:PutParameter` + `ssm:DeleteParameter` (write) on `<prefix>seller/* /<name>` only, the key
 * use through SSM only, and the two variables the wiring's `sellerSecretStore(env)` reads.
 */
import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../../functions/constants';
import type { SellerSecretName } from '../../functions/domain/ports';
import { AWS_MANAGED_SSM_KEY, checkSellerSecretsPrefix, DEFAULT_SELLER_SECRETS_PREFIX } from '../../functions/adapters/ssm-seller-secrets';
import { SentinelFunction } from './sentinel-function';

export const SELLER_SECRETS_ID = 'SellerSecrets';
export type SellerSecretAccess = 'read' | 'write';

export interface SellerSecretsProps {
  /** Parameter path prefix (default `/shipnow-sentinel/`). */
  prefix?: string;
  /** A customer managed key (default true); false: the AWS managed `alias/aws/ssm`. */
  customerManagedKey?: boolean;
}

export class SellerSecrets extends Construct {
  readonly prefix: string;
  /** The customer managed key, when there is one. */
  readonly key?: Key;
  /** What `PutParameter` is given as KeyId: the key ARN, or `alias/aws/ssm`. */
  readonly keyId: string;

  constructor(scope: Construct, id: string, props: SellerSecretsProps = {}) {
    super(scope, id);
    this.prefix = checkSellerSecretsPrefix(props.prefix ?? DEFAULT_SELLER_SECRETS_PREFIX);
    if (props.customerManagedKey ?? true) {
      this.key = new Key(this, 'Key', { description: 'ShipNow Sentinel seller secrets (SSM SecureString parameters)', enableKeyRotation: true });
      this.keyId = this.key.keyArn;
    } else {
      this.keyId = AWS_MANAGED_SSM_KEY;
    }
  }

  /** The IAM resource of the parameters (`arn:...:parameter/<prefix without the first slash>seller/*‍/<name>`). */
  parameterArn(name: SellerSecretName | '*'): string {
    return Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${this.prefix.slice(1)}seller/*/${name}` });
  }

  /** Read (GetParameter, decrypt) or write (PutParameter, DeleteParameter, encrypt) the named secrets of every seller. */
  grant(fn: LambdaFunction, access: SellerSecretAccess, names: readonly SellerSecretName[] = ['sp-api', 'imap']): void {
    const resources = names.map((n) => this.parameterArn(n));
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: access === 'read' ? 'ReadSellerSecrets' : 'WriteSellerSecrets',
        effect: Effect.ALLOW,
        actions: access === 'read' ? ['ssm:GetParameter'] : ['ssm:PutParameter', 'ssm:DeleteParameter'],
        resources,
      }),
    );
    if (this.key) {
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: access === 'read' ? 'DecryptSellerSecrets' : 'EncryptSellerSecrets',
          effect: Effect.ALLOW,
          // Standard-tier SecureStrings are encrypted with Encrypt/Decrypt directly (no data keys).
          actions: access === 'read' ? ['kms:Decrypt'] : ['kms:Encrypt'],
          resources: [this.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
    fn.addEnvironment(ENV.SELLER_SECRETS_PREFIX, this.prefix);
    fn.addEnvironment(ENV.SELLER_SECRETS_KEY_ID, this.keyId);
    const reason = 'Seller secrets are one parameter per seller, created at run time: the grant is the narrowest fixed path, <prefix>seller/*/<secret name>.';
    const acks = resources.map((r) => ({ id: `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(r))}]`, reason }));
    if (fn instanceof SentinelFunction) fn.acknowledge(...acks);
  }
}

/** The stack's seller-secret store (created by SentinelStack). */
export function sellerSecretsOf(scope: IConstruct): SellerSecrets {
  const found = Stack.of(scope).node.tryFindChild(SELLER_SECRETS_ID);
  if (!(found instanceof SellerSecrets)) throw new Error(`no SellerSecrets construct "${SELLER_SECRETS_ID}" in stack ${Stack.of(scope).stackName}`);
  return found;
}

/** Give a function of the stack read or write access to the sellers' secrets (see SellerSecrets.grant). */
export function grantSellerSecrets(fn: LambdaFunction, access: SellerSecretAccess, names?: readonly SellerSecretName[]): void {
  sellerSecretsOf(fn).grant(fn, access, names);
}

/** How cdk-nag prints a resolved resource (`<AWS::Partition>` for a Ref, and so on). */
function flatten(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o['Fn::Join'])) return ((o['Fn::Join'] as [string, unknown[]])[1]).map(flatten).join((o['Fn::Join'] as [string])[0]);
  if (typeof o.Ref === 'string') return `<${o.Ref}>`;
  if (Array.isArray(o['Fn::GetAtt'])) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(v);
}
