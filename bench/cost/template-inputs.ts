/**
 * The inputs of the cost model that the deployment itself decides, read from the synthesised
 * template of each profile (so a new alarm, key or schedule changes the cost table by itself):
 * alarms and the metrics they read, dashboards, customer managed KMS keys, secrets, tracing,
 * each function's memory, the schedules (runs a month) and the SQS event sources (pollers).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LEAN_METRICS } from '../../functions/lean-metrics';
import { ALERT_SENDER_METRICS, INBOUND_MAIL_METRICS, ORDER_SYNC_METRICS, RECONCILER_METRICS } from '../../functions/metrics';
import type { Profile } from '../../infra/config';
import { SentinelStack } from '../../infra/sentinel-stack';

/** The functions the cost model prices, found in the template by their description. */
const ROLES = {
  syncWorker: /one seller's orders/,
  intake: /SES inbound mail/,
  reconciler: /^Reconciler:/,
  sender: /^Alert sender:/,
  dispatcher: /one SQS message per active seller/,
  mailboxPoller: /^Mailbox poller:/,
  weeklyReport: /^Weekly report:/,
} as const;
export type Role = keyof typeof ROLES;
export const SCHEDULED_ROLES = ['reconciler', 'sender', 'dispatcher', 'mailboxPoller', 'weeklyReport'] as const;
export type ScheduledRole = (typeof SCHEDULED_ROLES)[number];
const ALL_ROLES = Object.keys(ROLES) as Role[];

/** Scheduled runs a month of the functions that are traced. */
export function tracedScheduledRuns(t: Pick<TemplateInputs, 'traced' | 'runsPerMonth'>): number {
  return SCHEDULED_ROLES.reduce((n, r) => n + (t.traced[r] ? t.runsPerMonth[r] : 0), 0);
}

export interface TemplateInputs {
  profile: Profile;
  alarms: number;
  /** Metrics the alarms read (CloudWatch bills alarms per metric: a math alarm over 7 metrics is 7). */
  alarmMetrics: number;
  dashboards: number;
  /** Custom metrics the functions emit (lean: the lean list; default: every name plus its breakdowns). */
  customMetrics: number;
  customerManagedKeys: number;
  tracing: boolean;
  /** Which of the functions the model prices are traced (X-Ray active). */
  traced: Record<Role, boolean>;
  /** Memory (GB) of the functions the cost model times, by role. */
  memoryGb: Record<Role, number>;
  /** Scheduled invocations a month, by role. */
  runsPerMonth: Record<ScheduledRole, number>;
  /** Secrets Manager secrets the stack itself creates (the seller web's link key); the LWA app's is the operator's. */
  generatedSecrets: number;
  /** SQS event sources (each polls its queue continuously). */
  sqsEventSources: number;
}

/** Breakdown variants assumed for the default profile (reason codes seen, channel types used, sync failure reasons). */
export const DEFAULT_BREAKDOWN_VARIANTS = 8;
const MINUTES_PER_MONTH = 30 * 24 * 60;

const REAL = { inboundDomain: 'inbound.cost-model.cn', alertFrom: 'alerts@cost-model.cn' };

export function synthesise(profile: Profile): Template {
  // No bundling: the template is what matters here, not the assets.
  const app = new App({ context: { ...REAL, profile, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new SentinelStack(app, `Cost-${profile}`));
}

export function templateInputs(profile: Profile, template: Template = synthesise(profile)): TemplateInputs {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
  const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const alarms = of('AWS::CloudWatch::Alarm');
  const alarmMetrics = alarms.reduce((n, [, a]) => n + (a.Properties!.Metrics ? a.Properties!.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length : 1), 0);
  const functions = of('AWS::Lambda::Function').filter(([, f]) => f.Properties!.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'shipnow-sentinel');
  const fnByHandler = (description: RegExp) => {
    const found = functions.find(([, f]) => description.test(String(f.Properties!.Description ?? '')));
    if (!found) throw new Error(`no function matching ${description} in the template`);
    return found;
  };
  const byRole = <T>(roles: readonly Role[], f: (d: RegExp) => T) => Object.fromEntries(roles.map((r) => [r, f(ROLES[r])]));
  const traced = (d: RegExp) => fnByHandler(d)[1].Properties!.TracingConfig?.Mode === 'Active';
  const memory = (d: RegExp) => (fnByHandler(d)[1].Properties!.MemorySize ?? 128) / 1024;
  const rules = of('AWS::Events::Rule').filter(([, r]) => typeof r.Properties!.ScheduleExpression === 'string');
  const runs = (fnDescription: RegExp) => {
    const [fnId] = fnByHandler(fnDescription);
    const rule = rules.find(([, r]) => JSON.stringify(r.Properties!.Targets).includes(`"${fnId}"`));
    if (!rule) throw new Error(`no schedule for ${fnDescription}`);
    const m = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(rule[1].Properties!.ScheduleExpression);
    if (!m) throw new Error(`unexpected schedule ${rule[1].Properties!.ScheduleExpression}`);
    const minutes = Number(m[1]) * (m[2].startsWith('hour') ? 60 : 1);
    return MINUTES_PER_MONTH / minutes;
  };
  const allNames = [ORDER_SYNC_METRICS, ALERT_SENDER_METRICS, INBOUND_MAIL_METRICS, RECONCILER_METRICS].flatMap((f) => Object.values(f));
  const lean = functions.every(([, f]) => f.Properties!.Environment.Variables.SENTINEL_METRICS_PROFILE === 'lean');
  // Every name with the service dimension, plus Powertools' ColdStart per function, plus the breakdowns.
  const customMetrics = lean ? LEAN_METRICS.length : new Set(allNames).size + functions.length + DEFAULT_BREAKDOWN_VARIANTS;
  return {
    profile,
    alarms: alarms.length,
    alarmMetrics,
    dashboards: of('AWS::CloudWatch::Dashboard').length,
    customMetrics,
    customerManagedKeys: of('AWS::KMS::Key').length,
    tracing: functions.some(([, f]) => f.Properties!.TracingConfig?.Mode === 'Active'),
    traced: byRole(ALL_ROLES, traced) as Record<Role, boolean>,
    memoryGb: byRole(ALL_ROLES, memory) as Record<Role, number>,
    runsPerMonth: byRole(SCHEDULED_ROLES, runs) as Record<ScheduledRole, number>,
    generatedSecrets: of('AWS::SecretsManager::Secret').length,
    sqsEventSources: of('AWS::Lambda::EventSourceMapping').length,
  };
}
