import { Duration, Validations, type Acknowledgment } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { ENV, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/constants';
import { isLean } from '../profile';

export interface SentinelFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role' | 'logGroup'> {
  /** Handler file relative to functions/handlers, e.g. `inbound-mail.ts`. */
  handlerFile: string;
  /** Log retention (default one month: enough to investigate, short enough to hold little). */
  logRetention?: RetentionDays;
}

/** The CommonJS build of a package (its `require` export), by absolute path. */
function cjsBuild(pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** `node -e` script: copy argv[1] to <argv[2]>/tables when <argv[2]>/index.js requires ./tables/. */
const COPY_TABLES_IF_USED =
  "const fs=require('node:fs'),path=require('node:path');const [src,out]=process.argv.slice(1);" +
  "if(fs.readFileSync(path.join(out,'index.js'),'utf8').includes('./tables/'))fs.cpSync(src,path.join(out,'tables'),{recursive:true})";

/**
 * How every function is bundled (measured in `npm run bench`, section `bundles`; the reasons are
 * in docs/bundles.md):
 * - minified, tree-shaken ESM where a package ships it (`module` before `main`: jsonc-parser's
 *   `main` is a UMD build whose inner requires esbuild cannot follow, so it failed at load);
 * - one copy of libmime, libqp and libbase64: mailparser and our code import their ESM builds,
 *   mailsplit requires their CommonJS builds, and esbuild bundled both (the dual-package
 *   hazard); both kinds of import now get the CommonJS build;
 * - html-to-text (and its HTML parser) replaced by a stub: mailparser only calls it without
 *   `skipHtmlToText`, which our parser always sets (infra/bundling/html-to-text-unused.ts);
 * - iconv-lite's double-byte charset tables (Chinese, Japanese, Korean: about 400 kB) are left out
 *   of index.js and shipped beside it as JSON files (`tables/`), read by iconv-lite only when a
 *   message needs one, instead of being compiled with the rest on every cold start;
 * - the SDK's credentials from the environment (or the runtime's HTTP endpoint) only: the Node
 *   default chain's SSO/INI/process/web-identity/IMDS providers and their STS/SSO clients do not
 *   apply in Lambda and were about 100 kB of every bundle (infra/bundling/lambda-credentials.ts);
 * - the AWS SDK v3 is bundled (not the runtime's copy): the version the tests ran against, and a
 *   minified bundle loads faster than the runtime's many unbundled files;
 * - source maps without the sources' text (`sourcesContent: false`, a fifth of the size) and
 *   `NODE_OPTIONS=--enable-source-maps`, so a stack trace names our files and lines.
 */
export const LAMBDA_BUNDLING = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.CJS,
  mainFields: ['module', 'main'],
  externalModules: [],
  esbuildArgs: {
    '--alias:libmime': cjsBuild('libmime', 'dist/cjs/libmime.js'),
    '--alias:libqp': cjsBuild('libqp', 'dist/cjs/libqp.js'),
    '--alias:libbase64': cjsBuild('libbase64', 'dist/cjs/libbase64.js'),
    '--alias:html-to-text': join(__dirname, '..', 'bundling', 'html-to-text-unused.ts'),
    '--alias:@aws-sdk/credential-provider-node': join(__dirname, '..', 'bundling', 'lambda-credentials.ts'),
    '--external:./tables/*': true,
  },
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    // Copies iconv-lite's tables beside the bundles that read them (only inbound-mail parses mail).
    afterBundling: (_inputDir: string, outputDir: string) => [
      `node -e "${COPY_TABLES_IF_USED}" "${join(dirname(require.resolve('iconv-lite/package.json')), 'encodings', 'tables')}" "${outputDir}"`,
    ],
  },
} satisfies NodejsFunctionProps['bundling'];

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
  /** The handler file it bundles, relative to functions/handlers (e.g. `inbound-mail.ts`). */
  readonly handlerFile: string;

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
      bundling: { ...LAMBDA_BUNDLING, ...bundling },
    });
    this.ownLogGroup = logGroup;
    this.handlerFile = handlerFile;
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
