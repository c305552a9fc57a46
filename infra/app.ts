#!/usr/bin/env node
/**
 * CDK app. `npx cdk synth` works offline from a fresh clone: no context, no credentials.
 * Configuration: typed CDK context validated in infra/config.ts (`-c key=value` or cdk.json), e.g.
 * `-c stage=prod -c inboundDomain=inbound.example.com -c alarmEmail=ops@example.com`.
 * docs/operations.md lists every key.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, SentinelConfigError } from './config';
import { SentinelStack } from './sentinel-stack';

const app = new App();
let config;
try {
  config = loadConfig(app.node);
} catch (err) {
  if (err instanceof SentinelConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
const account = config.account ?? process.env.CDK_DEFAULT_ACCOUNT;
const region = config.region ?? process.env.CDK_DEFAULT_REGION;
new SentinelStack(app, `ShipNowSentinel-${config.stage}`, {
  config,
  description: 'ShipNow Sentinel: reconciles Amazon merchant-fulfilled orders with their Sold, Ship Now emails',
  // Environment-agnostic unless an account and region are known, so synth needs no credentials.
  env: account && region ? { account, region } : region ? { region } : undefined,
});
// Security review on every synth: AwsSolutions findings fail the synth unless acknowledged
// with a written reason next to the resource.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
