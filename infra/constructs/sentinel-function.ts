import { Duration, Validations, type Acknowledgment } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/constants';
import { isLean } from '../profile';

export interface SentinelFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role' | 'logGroup'> {
  /** Handler file relative to functions/handlers, e.g. `inbound-mail.ts`. */
  handlerFile: string;
  /** Log retention (default one month: enough to investigate, short enough to hold little). */
  logRetention?: RetentionDays;
}

/**
 * A Lambda function with the team's defaults, so every function of the stack gets them the same
 * way: newest Node runtime (nodejs20.x is past its end of support), ARM64, bundled by the local
 * esbuild (no Docker), source maps, JSON logs in a log group with retention, X-Ray tracing, and
 * the Powertools service name and metrics namespace set.
 *
 * Its own role, with no managed policy: CDK's default role would carry AWSLambdaBasicExecutionRole
 * (logs:CreateLogGroup/CreateLogStream/PutLogEvents on Resource "*", i.e. every log group of the
 * account). This role may write only to the function's own log group; everything else is added
 * by the grants of the constructs that use the function.
 */
export class SentinelFunction extends NodejsFunction {
  /** The function's log group (the only one it may write to). */
  readonly ownLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SentinelFunctionProps) {
    const { handlerFile, logRetention, environment, bundling, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention ?? RetentionDays.ONE_MONTH });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}: its own log group, plus the grants of its construct`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogGroup',
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      entry: join(__dirname, '..', '..', 'functions', 'handlers', handlerFile),
      handler: 'handler',
      memorySize: 512,
      timeout: Duration.seconds(60),
      // No X-Ray in the lean profile ($5 per million traces; the logs carry the request IDs).
      tracing: isLean(scope) ? Tracing.DISABLED : Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      ...rest,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        // Lean: only the lean metrics (functions/lean-metrics.ts), at most 10 custom metrics.
        ...(isLean(scope) ? { [ENV.METRICS_PROFILE]: 'lean' } : {}),
        ...environment,
      },
      bundling: {
        forceDockerBundling: false,
        sourceMap: true,
        minify: true,
        target: 'node24',
        format: OutputFormat.CJS,
        // The SDK v3 ships with the runtime, but pinning our own copy keeps behaviour identical
        // to what the tests ran against.
        externalModules: [],
        ...bundling,
      },
    });
    this.ownLogGroup = logGroup;
  }

  /**
   * Acknowledge cdk-nag findings on the function and on its role (a sibling construct, so an
   * acknowledgement on the function alone would not cover the role's policy).
   */
  acknowledge(...rules: Acknowledgment[]): void {
    Validations.of(this).acknowledge(...rules);
    if (this.role) Validations.of(this.role).acknowledge(...rules);
  }
}
