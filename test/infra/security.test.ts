/**
 * Issue 6, security review of the whole stack as deployed: IAM scope, encryption at rest and in
 * transit, log retention on every function, raw mail expiring, data retained on stack deletion,
 * no physical names, no secrets outside Secrets Manager.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { buildStack, type Resources } from './template-support';

const { stack, template } = buildStack();
const resources = template.toJSON().Resources as Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Actions that AWS does not allow to scope to a resource, each with where it is used. */
const WILDCARD_RESOURCE_ACTIONS: Record<string, string> = {
  'xray:PutTraceSegments': 'X-Ray tracing of every function',
  'xray:PutTelemetryRecords': 'X-Ray tracing of every function',
  'ses:SetActiveReceiptRuleSet': 'deployment-time activation of the receipt rule set',
  's3:PutBucketNotification': 'CDK deployment-time helper for bucket notifications',
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
}

function identityStatements(): Array<{ id: string; s: Statement }> {
  const out: Array<{ id: string; s: Statement }> = [];
  for (const [id, r] of ofType('AWS::IAM::Policy')) for (const s of r.Properties!.PolicyDocument.Statement) out.push({ id, s });
  for (const [id, r] of ofType('AWS::IAM::Role')) {
    for (const p of r.Properties!.Policies ?? []) for (const s of p.PolicyDocument.Statement) out.push({ id, s });
  }
  return out;
}

/** Managed policies attached to roles (identityStatements() sees only inline and AWS::IAM::Policy statements). */
function managedPolicies(): Array<{ roleId: string; arn: string }> {
  const out: Array<{ roleId: string; arn: string }> = [];
  for (const [roleId, r] of ofType('AWS::IAM::Role')) for (const arn of r.Properties!.ManagedPolicyArns ?? []) out.push({ roleId, arn: JSON.stringify(arn) });
  for (const [, p] of ofType('AWS::IAM::ManagedPolicy')) for (const role of p.Properties!.Roles ?? []) out.push({ roleId: role.Ref, arn: 'AWS::IAM::ManagedPolicy of the stack' });
  return out;
}

/** The project's functions (SentinelFunction sets the Powertools service name; CDK's helpers do not). */
const projectFunctions = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties!.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'shipnow-sentinel');
const roleIdOf = (fn: { Properties?: Record<string, any> }): string => fn.Properties!.Role['Fn::GetAtt'][0];
const statementsOfRole = (roleId: string): Statement[] => [
  ...ofType('AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Statement[]),
  ...((resources[roleId].Properties!.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((p) => p.PolicyDocument.Statement),
];

describe('IAM scope', () => {
  const statements = identityStatements();

  test('no project function role has a managed policy (AWSLambdaBasicExecutionRole would allow logs on Resource "*")', () => {
    expect(projectFunctions.length).toBe(11);
    const projectRoles = new Set(projectFunctions.map(([, fn]) => roleIdOf(fn)));
    expect(projectRoles.size).toBe(projectFunctions.length);
    for (const { roleId, arn } of managedPolicies()) expect({ roleId, arn, projectRole: projectRoles.has(roleId) }).toEqual({ roleId, arn, projectRole: false });
    // Only CDK's deployment-time helpers keep the managed basic execution policy.
    for (const { arn } of managedPolicies()) expect(arn).toContain('service-role/AWSLambdaBasicExecutionRole');
  });

  test("each project function may write logs only to its own log group", () => {
    for (const [id, fn] of projectFunctions) {
      const ownGroup = fn.Properties!.LoggingConfig.LogGroup.Ref as string;
      const logs = statementsOfRole(roleIdOf(fn)).filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
      expect({ id, logs }).toEqual({
        id,
        logs: [expect.objectContaining({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [ownGroup, 'Arn'] } })],
      });
    }
  });

  test('no action wildcard at all', () => {
    expect(statements.length).toBeGreaterThan(10);
    for (const { id, s } of statements) for (const a of asArray(s.Action)) expect({ id, action: a }).toEqual({ id, action: expect.not.stringMatching(/^\*$|^[a-z0-9-]+:\*$/) });
  });

  test('Resource "*" only for actions that support no resource-level permissions', () => {
    for (const { id, s } of statements) {
      if (!asArray(s.Resource).includes('*')) continue;
      for (const a of asArray(s.Action)) expect({ id, action: a, allowed: a in WILDCARD_RESOURCE_ACTIONS }).toEqual({ id, action: a, allowed: true });
    }
  });

  test('data access is scoped to the one table, the mail prefixes, one topic, one bus, the secrets prefix', () => {
    const text = JSON.stringify(statements.map((x) => x.s));
    for (const { s } of statements) {
      const actions = asArray(s.Action).join(' ');
      if (/dynamodb:/.test(actions)) expect(JSON.stringify(s.Resource)).toContain(stack.getLogicalId(stack.table.table.node.defaultChild as never));
      if (/s3:GetObject/.test(actions)) expect(JSON.stringify(s.Resource)).toMatch(/\/(inbound|reports)\/\*/);
      if (/sns:Publish/.test(actions)) expect(s.Resource).toEqual({ Ref: stack.getLogicalId(stack.alerting.topic.node.defaultChild as never) });
      // The seller web also reads its own link key secret (a generated secret of the stack).
      const linkKey = { Ref: stack.getLogicalId(stack.sellerWeb.linkKey.node.defaultChild as never) };
      if (/secretsmanager:/.test(actions) && JSON.stringify(s.Resource) !== JSON.stringify(linkKey)) expect(JSON.stringify(s.Resource)).toMatch(/:secret:shipnow-sentinel\/sp-api\/(\*|seller\/\*|lwa-app-\*)"/);
    }
    expect(text).not.toMatch(/dynamodb:Scan"|dynamodb:DeleteTable|dynamodb:GetRecords|s3:DeleteObject|iam:PassRole|kms:\*/);
  });

  test('KMS key policies allow CloudWatch only on the operator key, and only from this account', () => {
    for (const [, key] of ofType('AWS::KMS::Key')) {
      expect(key.Properties!.EnableKeyRotation).toBe(true);
      for (const s of key.Properties!.KeyPolicy.Statement as Statement[]) {
        if (JSON.stringify(s.Principal).includes('cloudwatch')) expect(JSON.stringify(s)).toContain('aws:SourceAccount');
      }
    }
  });
});

describe('encryption at rest and in transit', () => {
  test('table, buckets, queues, topics encrypted', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { SSESpecification: { SSEEnabled: true } });
    for (const [, b] of ofType('AWS::S3::Bucket')) expect(b.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    for (const [, q] of ofType('AWS::SQS::Queue')) expect(q.Properties!.SqsManagedSseEnabled).toBe(true);
    for (const [, t] of ofType('AWS::SNS::Topic')) expect(t.Properties!.KmsMasterKeyId).toBeDefined();
  });

  test('every bucket, queue and topic refuses requests without TLS', () => {
    const denyInsecure = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const count = (type: string, target: string) => {
      const targets = ofType(type).map(([id]) => id);
      const policies = ofType(target).map(([, p]) => JSON.stringify(p.Properties));
      for (const id of targets) expect(policies.some((p) => p.includes(id) && p.includes('"aws:SecureTransport":"false"'))).toBe(true);
      return targets.length;
    };
    expect(count('AWS::S3::Bucket', 'AWS::S3::BucketPolicy')).toBe(2);
    expect(count('AWS::SQS::Queue', 'AWS::SQS::QueuePolicy')).toBe(12);
    expect(count('AWS::SNS::Topic', 'AWS::SNS::TopicPolicy')).toBe(2);
    template.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([denyInsecure]) } });
  });
});

describe('logs', () => {
  test('every function (ours and CDK helpers) logs to a log group with retention', () => {
    const groups = Object.fromEntries(ofType('AWS::Logs::LogGroup'));
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.length).toBe(13);
    for (const [id, fn] of fns) {
      const ref = fn.Properties!.LoggingConfig?.LogGroup?.Ref as string | undefined;
      expect({ id, ref: ref && groups[ref] ? 'log group of the stack' : ref }).toEqual({ id, ref: 'log group of the stack' });
      expect(groups[ref!].Properties!.RetentionInDays).toBe(30);
    }
  });
});

describe('data lifecycle', () => {
  test('raw mail and uploaded reports expire; the table and the mail bucket are retained when the stack is deleted', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: 30, Status: 'Enabled' }),
          // Reports keep the buyer's name and address that the importer drops.
          Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
    expect(resources[stack.getLogicalId(stack.table.table.node.defaultChild as never)].DeletionPolicy).toBe('Retain');
    expect(resources[stack.getLogicalId(stack.inboundMail.bucket.node.defaultChild as never)].DeletionPolicy).toBe('Retain');
    const t = buildStack({ rawMailExpirationDays: '7' }, 'Expiry').template;
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'inbound/', ExpirationInDays: 7 }), Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 7 })]),
      },
    });
  });

  test('every function that writes orders or notifications gives them a TTL (retention), set by the table', () => {
    const writers = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.SENTINEL_TABLE_NAME);
    const withRetention = writers.filter(([, r]) => {
      const v = r.Properties!.Environment.Variables;
      return v.SENTINEL_NOTIFICATION_RETENTION_DAYS === '90' && v.SENTINEL_CLOSED_ORDER_RETENTION_DAYS === '90';
    });
    // The sync dispatcher only reads the table; every other function with the table writes it.
    expect(writers.length - withRetention.length).toBeLessThanOrEqual(1);
    const intake = writers.find(([id]) => id.startsWith('InboundMailIntake'));
    expect(intake?.[1].Properties!.Environment.Variables.SENTINEL_NOTIFICATION_RETENTION_DAYS).toBe('90');
    const t = buildStack({ notificationRetentionDays: '30', closedOrderRetentionDays: '60' }, 'Retention').template;
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SENTINEL_NOTIFICATION_RETENTION_DAYS: '30', SENTINEL_CLOSED_ORDER_RETENTION_DAYS: '60' }) },
    });
  });

  // Names only: SES has one active receipt rule set per region, so a second stage in the same
  // account and region needs -c activateRuleSet=false (docs/inbound-mail.md).
  test('no hard-coded physical names, so two stages do not collide on names', () => {
    const nameProps: Record<string, string> = {
      'AWS::DynamoDB::GlobalTable': 'TableName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::CloudWatch::Alarm': 'AlarmName',
      'AWS::CloudWatch::Dashboard': 'DashboardName',
      'AWS::Events::Rule': 'Name',
      'AWS::Events::EventBus': 'Name',
      'AWS::SES::ReceiptRuleSet': 'RuleSetName',
      'AWS::SES::ConfigurationSet': 'Name',
    };
    for (const [type, prop] of Object.entries(nameProps)) {
      for (const [id, r] of ofType(type)) {
        const v = r.Properties?.[prop];
        // A name CloudFormation or CDK derives (unique per stack, e.g. the event bus's
        // `<stack><path><hash>`) is fine; a fixed literal would collide between two stages.
        const fixed = typeof v === 'string' && !v.startsWith(stack.stackName) ? v : undefined;
        expect({ id, fixed }).toEqual({ id, fixed: undefined });
      }
    }
  });
});

describe('secrets only in Secrets Manager and the seller parameters', () => {
  test('no function environment holds a credential; SP-API credentials are read from a name prefix', () => {
    // Where the secrets are (a name prefix, a path prefix, a KMS key ARN), not secrets.
    const locations = ['SENTINEL_SP_API_SECRETS_PREFIX', 'SENTINEL_SELLER_SECRETS_PREFIX', 'SENTINEL_SELLER_SECRETS_KEY_ID', 'SENTINEL_LINK_KEY_SECRET'];
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const vars = (fn.Properties!.Environment?.Variables ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(vars)) {
        if (locations.includes(k)) continue;
        expect({ id, k }).toEqual({ id, k: expect.not.stringMatching(/SECRET|TOKEN|PASSWORD|API_KEY|CLIENT_ID/i) });
        expect(JSON.stringify(v)).not.toMatch(/Atzr\||amzn1\.application-oa2-client|hooks\.slack\.com|oapi\.dingtalk|access_token=/);
      }
    }
  });
});
