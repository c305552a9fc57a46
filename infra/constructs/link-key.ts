import { Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The deployment's link key: a generated secret (64 letters and digits) that signs the per-seller
 * links of alerts, reports and pages (functions/domain/signed-links.ts). Its value is one key per
 * line, the current one first: to rotate, put a new key on the first line and keep the old one
 * below it until the links signed with it have expired (7 days for alert links, 30 for status
 * links; SECURITY.md), then remove it. Read by the functions that sign or check links.
 */
export class LinkKey extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'ShipNow Sentinel link key: signs sellers\' links (one key per line, current first)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the link key must keep the previous key as a second line while links signed with it are valid; this is an operator step (SECURITY.md), not a Lambda rotation that would replace the value.',
    });
  }

  grantRead(grantee: IGrantable): void {
    this.secret.grantRead(grantee);
  }
}
