/**
 * The cost model (pure): measured request counts and run times (seller-day.ts), the template's
 * inputs (template-inputs.ts) and the list prices (prices.json) in, dollars a month out. Every
 * figure that is assumed rather than measured is in ASSUMPTIONS, with its reason.
 */
import type { SellerDay, Usage } from './seller-day';
import { tracedScheduledRuns, type TemplateInputs } from './template-inputs';

export type Prices = Record<string, number>;
export interface PriceList {
  region: string;
  taken: string;
  sources: Record<string, string>;
  prices: Prices;
  alwaysFree: Record<string, number | string>;
}

export const ASSUMPTIONS = {
  days: 30,
  /** One email per order; ~30 kB each (one 256 kB SES chunk), kept 30 days in S3. */
  emailKb: 30,
  /** 2 % of orders miss their email: 6 alerts a month at 10 orders a day. */
  missingShare: 0.02,
  /** Round trip of one DynamoDB / SSM / SQS request in the region, added to the local run time. */
  awsRequestMs: 6,
  /** The SP-API getOrders call (and the hourly LWA token exchange) of one sync run. */
  spApiMsPerSync: 300,
  /** A lone seller's worker is usually a fresh environment: INIT (billed since August 2025) per sync run. */
  coldStartMsPerSync: 150,
  /** JSON log lines and EMF per invocation. */
  logKbPerInvocation: 1.5,
  /** Lambda SQS event sources keep about 5 long polls (20 s) open per queue. */
  sqsPollsPerEventSourceMonth: 5 * 3 * 60 * 24 * 30,
  /** Sellers per SendMessageBatch of the dispatcher. */
  sellersPerBatch: 10,
  /** X-Ray samples 1 request a second and 5 % of the rest (Lambda's fixed rule). */
  xrayReservoirPerMonth: 60 * 60 * 24 * 30,
  xrayRate: 0.05,
} as const;

export interface Line {
  item: string;
  usage: string;
  dollars: number;
}

const ddbDollars = (p: Prices, u: { rru: number; wru: number }, times: number) => times * (u.wru * p.dynamodbPerMillionWru + u.rru * p.dynamodbPerMillionRru) / 1e6;
/** Billed seconds of one run: the local time plus the AWS round trips of its requests. */
const seconds = (u: Usage, extraMs = 0) => (u.medianMs + (u.dynamodb.requests + u.ssm + u.secretsManager + u.sqs + u.s3Get) * ASSUMPTIONS.awsRequestMs + extraMs) / 1000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface SellerMonth {
  lines: Line[];
  total: number;
  invocations: number;
  gbSeconds: number;
}

/** What one more seller adds a month (10 orders a day), with `sellers` sellers in the deployment. */
export function perSellerMonth(day: SellerDay, t: TemplateInputs, prices: PriceList, sellers: number): SellerMonth {
  const p = prices.prices;
  const a = ASSUMPTIONS;
  const orders = day.orders * a.days;
  const emails = day.emails * a.days;
  const syncRuns = t.runsPerMonth.dispatcher; // every seller once per dispatcher run
  const alerts = orders * a.missingShare;
  const lines: Line[] = [];

  lines.push({
    item: 'SES receiving',
    usage: `${fmt(emails)} emails, ${fmt(emails)} chunks`,
    dollars: (emails * p.sesReceivingPerThousandEmails + emails * p.sesReceivingPerThousandChunks) / 1000,
  });
  const syncS = seconds(day.syncRun, a.spApiMsPerSync + a.coldStartMsPerSync);
  const emailS = seconds(day.email);
  const alertS = seconds(day.missingAlert);
  const extraS = ((day.reconcileDayExtra.dynamodb.requests + day.sendDayExtra.dynamodb.requests) * a.awsRequestMs) / 1000;
  const gbSeconds = syncRuns * syncS * t.memoryGb.syncWorker + emails * emailS * t.memoryGb.intake + alerts * alertS * t.memoryGb.reconciler + a.days * extraS * t.memoryGb.reconciler;
  const invocations = syncRuns + emails + alerts; // + the sender started once per alert
  lines.push({
    item: 'Lambda',
    usage: `sync ${fmt(syncRuns)} × ${(syncS * 1000).toFixed(0)} ms, intake ${fmt(emails)} × ${(emailS * 1000).toFixed(0)} ms, alerts ${fmt(alerts)} × ${(alertS * 1000).toFixed(0)} ms: ${fmt(gbSeconds)} GB-s, ${fmt(invocations + alerts)} requests`,
    dollars: gbSeconds * p.lambdaArmPerGbSecond + ((invocations + alerts) * p.lambdaPerMillionRequests) / 1e6,
  });
  const ddb = {
    wru: day.syncRun.dynamodb.wru * syncRuns + day.email.dynamodb.wru * emails + (day.reconcileDayExtra.dynamodb.wru + day.sendDayExtra.dynamodb.wru) * a.days + day.missingAlert.dynamodb.wru * alerts + day.dispatchPerSeller.dynamodb.wru * syncRuns,
    rru: day.syncRun.dynamodb.rru * syncRuns + day.email.dynamodb.rru * emails + (day.reconcileDayExtra.dynamodb.rru + day.sendDayExtra.dynamodb.rru) * a.days + day.missingAlert.dynamodb.rru * alerts + day.dispatchPerSeller.dynamodb.rru * syncRuns,
  };
  lines.push({ item: 'DynamoDB', usage: `${fmt(ddb.wru)} WRU, ${fmt(ddb.rru)} RRU (measured per unit of work)`, dollars: ddbDollars(p, ddb, 1) + (1 / 1024) * p.dynamodbPerGbMonth });
  const ssmCalls = day.syncRun.ssm * syncRuns;
  lines.push({
    item: 'SSM parameter + KMS',
    usage: `1 standard SecureString (free); ${fmt(ssmCalls)} GetParameter (free) = ${fmt(ssmCalls)} KMS Decrypt`,
    dollars: (ssmCalls * p.kmsPer10kRequests) / 1e4 + p.ssmStandardParameterMonth,
  });
  const sqs = syncRuns * (Math.ceil(sellers / a.sellersPerBatch) / sellers) + syncRuns /* delete */ + emails * 2; /* S3 -> SQS send, delete */
  lines.push({ item: 'SQS', usage: `${fmt(sqs)} requests (dispatch share, deletes, mail events)`, dollars: (sqs * p.sqsPerMillionRequests) / 1e6 });
  const gbStored = (emails * a.emailKb) / 1024 / 1024;
  lines.push({
    item: 'S3',
    usage: `${fmt(emails)} PUT (SES), ${fmt(day.email.s3Get * emails)} GET, ${(gbStored * 1024).toFixed(0)} MB kept`,
    dollars: (emails * p.s3PerThousandPut + day.email.s3Get * emails * p.s3PerThousandGet) / 1000 + gbStored * p.s3PerGbMonth,
  });
  lines.push({ item: 'SES sending', usage: `${fmt(alerts)} alerts`, dollars: (alerts * p.sesSendingPerThousand) / 1000 });
  lines.push({
    item: 'CloudWatch Logs',
    usage: `${(((invocations + alerts) * a.logKbPerInvocation) / 1024).toFixed(1)} MB`,
    dollars: (((invocations + alerts) * a.logKbPerInvocation) / 1024 / 1024) * p.cloudwatchLogsPerGbIngested,
  });
  if (t.tracing) {
    const tr = t.traced;
    const fixedInvocations = tracedScheduledRuns(t);
    // A seller's own traced invocations: only those of traced functions (the sync worker is not).
    const perSeller = (tr.syncWorker ? syncRuns : 0) + (tr.intake ? emails : 0) + (tr.reconciler ? alerts : 0) + (tr.sender ? alerts : 0);
    const share = tracesOf(fixedInvocations + sellers * perSeller) - tracesOf(fixedInvocations + (sellers - 1) * perSeller);
    lines.push({ item: 'X-Ray', usage: `${fmt(share)} traces (1/s + 5 % sampling at ${fmt(sellers)} sellers; the sync worker is not traced)`, dollars: (share * p.xrayPerMillionTraces) / 1e6 });
  }
  return { lines, total: lines.reduce((s, l) => s + l.dollars, 0), invocations, gbSeconds };
}

export interface FixedMonth {
  lines: Line[];
  total: number;
  /** With the account's always-free allowances (CloudWatch, SQS, KMS, Lambda, X-Ray) taken off, for `sellers` sellers. */
  withFreeTier: (sellerMonth: SellerMonth, sellers: number) => number;
  /** What running the reconciler every minute instead of every 5 costs (time to alert). */
  reconcilerEveryMinute: number;
}

export function fixedMonth(day: SellerDay, t: TemplateInputs, prices: PriceList): FixedMonth {
  const p = prices.prices;
  const a = ASSUMPTIONS;
  const lines: Line[] = [];
  lines.push({ item: 'CloudWatch custom metrics', usage: `${t.customMetrics} metrics`, dollars: t.customMetrics * p.cloudwatchPerCustomMetricMonth });
  lines.push({ item: 'CloudWatch alarms', usage: `${t.alarms} alarms reading ${t.alarmMetrics} metrics`, dollars: t.alarmMetrics * p.cloudwatchPerAlarmMetricMonth });
  lines.push({ item: 'CloudWatch dashboard', usage: `${t.dashboards}`, dollars: t.dashboards * p.cloudwatchPerDashboardMonth });
  lines.push({ item: 'KMS keys', usage: `${t.customerManagedKeys} customer managed`, dollars: t.customerManagedKeys * p.kmsPerKeyMonth });
  const lwaReads = t.runsPerMonth.dispatcher;
  const secrets = 1 + t.generatedSecrets;
  lines.push({
    item: 'Secrets Manager',
    usage: `${secrets} secrets (LWA app${t.generatedSecrets ? ', link key' : ''}), ${fmt(lwaReads)} reads`,
    dollars: secrets * p.secretsManagerPerSecretMonth + (lwaReads * p.secretsManagerPer10kCalls) / 1e4,
  });
  const run = (u: Usage, runs: number, gb: number) => ({ gbS: runs * seconds(u) * gb, ddb: ddbDollars(p, u.dynamodb, runs) });
  const rec = run(day.emptyReconcile, t.runsPerMonth.reconciler, t.memoryGb.reconciler);
  const snd = run(day.emptySend, t.runsPerMonth.sender, t.memoryGb.sender);
  const dsp = run(day.dispatchPerSeller, t.runsPerMonth.dispatcher, t.memoryGb.dispatcher);
  const mbx = run(day.emptyMailboxPoll, t.runsPerMonth.mailboxPoller, t.memoryGb.mailboxPoller);
  const wkl = run(day.emptyWeekly, t.runsPerMonth.weeklyReport, t.memoryGb.weeklyReport);
  const runs = t.runsPerMonth.reconciler + t.runsPerMonth.sender + t.runsPerMonth.dispatcher + t.runsPerMonth.mailboxPoller + t.runsPerMonth.weeklyReport;
  const gbS = rec.gbS + snd.gbS + dsp.gbS + mbx.gbS + wkl.gbS;
  lines.push({
    item: 'Lambda (schedules)',
    usage: `reconciler ${fmt(t.runsPerMonth.reconciler)} × ${(seconds(day.emptyReconcile) * 1000).toFixed(0)} ms, sender ${fmt(t.runsPerMonth.sender)} × ${(seconds(day.emptySend) * 1000).toFixed(0)} ms, dispatcher ${fmt(t.runsPerMonth.dispatcher)}, mailbox poller ${fmt(t.runsPerMonth.mailboxPoller)} × ${(seconds(day.emptyMailboxPoll) * 1000).toFixed(0)} ms, weekly report ${fmt(t.runsPerMonth.weeklyReport)} × ${(seconds(day.emptyWeekly) * 1000).toFixed(0)} ms: ${fmt(gbS)} GB-s`,
    dollars: gbS * p.lambdaArmPerGbSecond + (runs * p.lambdaPerMillionRequests) / 1e6,
  });
  lines.push({
    item: 'DynamoDB (schedules)',
    usage: `reconciler ${day.emptyReconcile.dynamodb.requests} + sender ${day.emptySend.dynamodb.requests} + mailbox poller ${day.emptyMailboxPoll.dynamodb.requests} + weekly report ${day.emptyWeekly.dynamodb.requests} queries a run (nothing due)`,
    dollars: rec.ddb + snd.ddb + dsp.ddb + mbx.ddb + wkl.ddb,
  });
  const polls = t.sqsEventSources * a.sqsPollsPerEventSourceMonth;
  lines.push({ item: 'SQS polling', usage: `${t.sqsEventSources} event sources × ${fmt(a.sqsPollsPerEventSourceMonth)} long polls`, dollars: (polls * p.sqsPerMillionRequests) / 1e6 });
  const logsGb = (runs * a.logKbPerInvocation) / 1024 / 1024;
  lines.push({ item: 'CloudWatch Logs (schedules)', usage: `${(logsGb * 1024).toFixed(0)} MB`, dollars: logsGb * p.cloudwatchLogsPerGbIngested });
  if (t.tracing) {
    const traced = tracesOf(tracedScheduledRuns(t));
    lines.push({ item: 'X-Ray (schedules)', usage: `${fmt(traced)} traces`, dollars: (traced * p.xrayPerMillionTraces) / 1e6 });
  }
  const total = lines.reduce((s, l) => s + l.dollars, 0);
  const free = prices.alwaysFree as Record<string, number>;
  const recPerRun = seconds(day.emptyReconcile) * t.memoryGb.reconciler * p.lambdaArmPerGbSecond + p.lambdaPerMillionRequests / 1e6 + ddbDollars(p, day.emptyReconcile.dynamodb, 1);
  const withFreeTier = (s: SellerMonth, sellers: number) => {
    const off =
      Math.min(t.customMetrics, free.cloudwatchCustomMetrics) * p.cloudwatchPerCustomMetricMonth +
      Math.min(t.alarmMetrics, free.cloudwatchAlarmMetrics) * p.cloudwatchPerAlarmMetricMonth +
      Math.min(t.dashboards, free.cloudwatchDashboards) * p.cloudwatchPerDashboardMonth +
      (Math.min(polls, free.sqsRequests) * p.sqsPerMillionRequests) / 1e6 +
      (Math.min(sellers * s.invocations + runs, free.lambdaRequests) * p.lambdaPerMillionRequests) / 1e6 +
      Math.min(sellers * s.gbSeconds + gbS, free.lambdaGbSeconds) * p.lambdaArmPerGbSecond +
      (Math.min(sellers * t.runsPerMonth.dispatcher, free.kmsRequests) * p.kmsPer10kRequests) / 1e4;
    return Math.max(0, total + sellers * s.total - off);
  };
  return { lines, total, withFreeTier, reconcilerEveryMinute: (t.runsPerMonth.reconciler - t.runsPerMonth.reconciler / 5) * recPerRun };
}

/** Traces X-Ray records of `n` invocations a month: 1 a second, then 5 % (Lambda's fixed rule). */
function tracesOf(n: number): number {
  const a = ASSUMPTIONS;
  return Math.min(n, a.xrayReservoirPerMonth) + a.xrayRate * Math.max(0, n - a.xrayReservoirPerMonth);
}
