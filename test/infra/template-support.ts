/**
 * Helpers for the whole-stack template tests (observability, security): build the stack as
 * infra/app.ts does, with cdk-nag, from a raw CDK context; and read the dashboard body.
 */
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SentinelStack } from '../../infra/sentinel-stack';

export function buildStack(context: Record<string, unknown> = {}, id = 'Ops') {
  const app = new App({ context });
  const stack = new SentinelStack(app, id);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string }>;

/** The dashboard body as JSON, every CloudFormation token replaced by "TOKEN". */
export function dashboardBody(template: Template): { widgets: Array<{ type: string; properties: Record<string, any> }> } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return JSON.parse(text);
}

/** Every metric on the dashboard as [namespace, name, dimensions] (expressions reported apart). */
export function dashboardMetrics(template: Template): { metrics: Array<{ namespace: string; name: string; dimensions: Record<string, string> }>; expressions: string[] } {
  const metrics: Array<{ namespace: string; name: string; dimensions: Record<string, string> }> = [];
  const expressions: string[] = [];
  for (const w of dashboardBody(template).widgets) {
    for (const m of (w.properties.metrics ?? []) as unknown[][]) {
      const last = m[m.length - 1];
      if (m.length === 1 && typeof last === 'object' && last && 'expression' in last) {
        expressions.push(String((last as { expression: string }).expression));
        continue;
      }
      const parts = m.filter((x) => typeof x === 'string') as string[];
      const [namespace, name, ...dims] = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
      metrics.push({ namespace, name, dimensions });
    }
  }
  return { metrics, expressions };
}
