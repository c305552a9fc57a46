#!/usr/bin/env node
/**
 * CDK app. `npx cdk synth` works offline from a fresh clone: no context, no credentials.
 * Optional context: `-c stage=NAME` (default `dev`) to deploy several stages in one account.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SentinelStack } from './sentinel-stack';

const app = new App();
const stage = (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
new SentinelStack(app, `ShipNowSentinel-${stage}`, {
  description: 'ShipNow Sentinel: reconciles Amazon merchant-fulfilled orders with their Sold, Ship Now emails',
  // Environment-agnostic unless the usual CDK variables say otherwise, so synth needs no account.
  env:
    process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
});
// Security review on every synth: AwsSolutions findings fail the synth unless acknowledged
// with a written reason next to the resource.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
