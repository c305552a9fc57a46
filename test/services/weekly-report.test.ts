/**
 * The weekly report on dynalite: queued once per seller and week at Monday 09:00 in each seller's
 * time zone (repeated and retried runs add nothing), then delivered by the real sender through the
 * seller's channels (a DingTalk bot over HTTP, SES email on aws-ses-v2-local) in the seller's
 * language, with the week's numbers, HTML bars in the email and a signed status link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeChannelFactory } from '../../functions/adapters/channels/factory';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { loadLinkKeys } from '../../functions/adapters/link-key-file';
import { verifyLink } from '../../functions/domain/signed-links';
import { sendDueAlerts } from '../../functions/services/send-alerts';
import { isReportTime, runWeeklyReports } from '../../functions/services/weekly-report';
import { useDynalite } from '../support/dynalite';
import { sendJson, startLocalSes, startWebhookServer, type ReceivedRequest } from '../support/local-servers';

const ddb = useDynalite({ freshTablePerTest: true });
const WEB = 'https://web.shipnow.example';

async function seed(bot: string) {
  await ddb.repository.putSeller({
    sellerId: 'CN1',
    name: 'Shenzhen',
    marketplaces: ['amazon.com', 'amazon.de'],
    language: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    createdAt: '2026-01-01T00:00:00.000Z',
    alerting: { channels: [{ id: 'dt', type: 'dingtalk', url: `${bot}/dingtalk`, secret: 'SECx' }] },
  } as never);
  await ddb.repository.putSeller({
    sellerId: 'DE1',
    name: 'Berlin',
    marketplaces: ['amazon.de'],
    language: 'en',
    timeZone: 'Europe/Berlin',
    alertEmails: ['owner@example.de'],
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  // CN1's week (Shanghai): Tue 24 Nov, amazon.com: 3 received (delays 5, 7, 30 min), 1 missing;
  // Thu 26, amazon.de: 2 received (2, 4 min). Counted the way the services count transitions.
  const add = (seller: string, marketplace: string, orderAt: string, delta: { notified?: number; missing?: number }, delayMin?: number) =>
    ddb.repository.addOrderStats(seller, marketplace, orderAt, { ...delta, orderAt }, delayMin === undefined ? undefined : new Date(Date.parse(orderAt) + delayMin * 60_000).toISOString());
  for (const d of [5, 7, 30]) await add('CN1', 'amazon.com', '2026-11-24T03:00:00.000Z', { notified: 1 }, d);
  await add('CN1', 'amazon.com', '2026-11-24T04:00:00.000Z', { missing: 1 });
  for (const d of [2, 4]) await add('CN1', 'amazon.de', '2026-11-26T03:00:00.000Z', { notified: 1 }, d);
  // DE1: Mon 23 Nov, 4 received (1, 1, 2, 3 min).
  for (const d of [1, 1, 2, 3]) await add('DE1', 'amazon.de', '2026-11-23T09:00:00.000Z', { notified: 1 }, d);
}

test('report time: Monday from 09:00 in the seller time zone, not before, not on other days', () => {
  expect(isReportTime('2026-11-30T01:00:00.000Z', 'Asia/Shanghai')).toBe(true); // Mon 09:00
  expect(isReportTime('2026-11-30T00:59:59.000Z', 'Asia/Shanghai')).toBe(false); // Mon 08:59
  expect(isReportTime('2026-11-30T01:00:00.000Z', 'Europe/Berlin')).toBe(false); // Mon 02:00
  expect(isReportTime('2026-11-29T09:00:00.000Z', 'Europe/Berlin')).toBe(false); // Sun
  expect(isReportTime('2026-12-01T01:00:00.000Z', 'Asia/Shanghai')).toBe(false); // Tue
});

test('queued once per seller and week, each at their own Monday 09:00; delivered in their language through their channels', async () => {
  const received: ReceivedRequest[] = [];
  const bot = await startWebhookServer((r, res) => {
    received.push(r);
    sendJson(res, 200, { errcode: 0, errmsg: 'ok' });
  });
  const ses = await startLocalSes();
  const sesClient = new SESv2Client({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const dir = mkdtempSync(join(tmpdir(), 'weekly-'));
  try {
    await seed(bot.base);
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const deps = { repo: ddb.repository, outbox };

    // Sunday evening in Shanghai: nobody yet.
    expect((await runWeeklyReports(deps, '2026-11-29T12:00:00.000Z')).due).toBe(0);
    // Monday 09:00 Shanghai (02:00 Berlin): CN1 only; the run again (a retry) adds nothing.
    const first = await runWeeklyReports(deps, '2026-11-30T01:00:00.000Z');
    expect(first).toMatchObject({ sellers: 2, due: 1, created: [{ sellerId: 'CN1', alertId: 'weekly-report:2026-11-29' }], existing: 0, errors: [] });
    expect(await runWeeklyReports(deps, '2026-11-30T01:00:30.000Z')).toMatchObject({ due: 1, created: [], existing: 1 });
    // Monday 09:00 Berlin: DE1 now; CN1's is there already.
    const second = await runWeeklyReports(deps, '2026-11-30T08:00:00.000Z');
    expect(second).toMatchObject({ due: 2, created: [{ sellerId: 'DE1', alertId: 'weekly-report:2026-11-29' }], existing: 1 });

    const item = await outbox.get('CN1', 'weekly-report:2026-11-29');
    expect(item?.alert.weekly).toMatchObject({ weekStart: '2026-11-23', weekEnd: '2026-11-29', timeZone: 'Asia/Shanghai', worst: { marketplace: 'amazon.com', missing: 1, expected: 4 } });

    const keys = await loadLinkKeys(dir);
    const sent = await sendDueAlerts(
      {
        outbox,
        health: outbox,
        sellers: ddb.repository,
        channels: makeChannelFactory({ ses: { client: sesClient, from: 'alerts@shipnow.example' }, http: { timeoutMs: 2000 } }),
        links: { webBaseUrl: WEB, keys: async () => keys },
        sleep: async () => {},
      },
      '2026-11-30T08:00:30.000Z',
    );
    expect(sent).toMatchObject({ sent: 2, failed: 0, errors: [] });

    // CN1: DingTalk, Chinese only.
    const dt = received.find((r) => r.path === '/dingtalk')!.body as { markdown: { title: string; text: string } };
    expect(dt.markdown.title).toContain('每周报告: 2026年11月23日至29日');
    expect(dt.markdown.text).toContain('应收到「Sold, Ship Now」邮件的订单：6 个；收到 5 个，缺失 1 个；延迟中位数 5 分钟。');
    expect(dt.markdown.text).toContain('缺失最多的站点：amazon.com（4 个中缺失 1 个）。');
    expect(dt.markdown.text).toContain('amazon.de：应到 2，收到 2，缺失 0，延迟中位数 3 分钟');
    expect(dt.markdown.text).toContain('周二 11月24日：应到 4，收到 3，缺失 1，延迟中位数 7 分钟');
    expect(dt.markdown.text).not.toMatch(/Weekly report|Orders expecting/);
    const token = /\[状态页面（所有未完成订单、本周图表）\]\(https:\/\/web\.shipnow\.example\/status\?token=([^)]+)\)/.exec(dt.markdown.text)?.[1];
    const v = verifyLink(decodeURIComponent(token!), keys, Date.parse('2026-11-30T08:01:00.000Z'), ['status']);
    expect(v).toMatchObject({ ok: true, claims: { sellerId: 'CN1', purpose: 'status' } });

    // DE1: email in English, text and HTML bars (every mail client draws table cells; few draw SVG).
    const [mail] = await ses.emails();
    expect(mail.destination.to).toEqual(['owner@example.de']);
    expect(mail.subject).toBe('[ShipNow Sentinel] Weekly report: 23 – 29 Nov 2026');
    expect(mail.body.text).toContain('Orders expecting a Sold, Ship Now email: 4; received 4, missing 0; median delay 1.5 min.');
    expect(mail.body.text).not.toContain('Most missing');
    expect(mail.body.html).toContain('<td style="background:#2e7d32;width:240px;height:14px"></td>');
    expect(mail.body.html).toContain('Mon 23 Nov</td>');
    expect(mail.body.html).toMatch(/<a href="https:\/\/web\.shipnow\.example\/status\?token=[^"]+">Status page/);

    // Delivered once: a later run of the sender and of the report add nothing.
    expect((await sendDueAlerts({ outbox, health: outbox, sellers: ddb.repository, channels: makeChannelFactory({}), sleep: async () => {} }, '2026-11-30T09:00:00.000Z')).due).toBe(0);
    expect((await runWeeklyReports(deps, '2026-11-30T20:00:00.000Z')).created).toEqual([]);
  } finally {
    sesClient.destroy();
    await ses.close();
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one seller failing does not stop the others; without a web endpoint the report names the CLI', async () => {
  const bot = await startWebhookServer((_r, res) => sendJson(res, 200, { errcode: 0 }));
  try {
    await seed(bot.base);
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const repo = ddb.repositoryWith({});
    const real = repo.hourlyOrderStats.bind(repo);
    repo.hourlyOrderStats = async (sellerId, from, to) => {
      if (sellerId === 'CN1') throw new Error('ProvisionedThroughputExceededException');
      return real(sellerId, from, to);
    };
    const r = await runWeeklyReports({ repo, outbox }, '2026-11-30T08:00:00.000Z');
    expect(r.created.map((c) => c.sellerId)).toEqual(['DE1']);
    expect(r.errors).toEqual([expect.objectContaining({ sellerId: 'CN1' })]);
    const { renderAlert } = await import('../../functions/domain/alert-message');
    const { settingsOrDefaults } = await import('../../functions/services/alert-sources');
    const item = (await outbox.get('DE1', 'weekly-report:2026-11-29'))!;
    const m = renderAlert(item.alert, settingsOrDefaults((await ddb.repository.getSeller('DE1'))!).settings, '2026-11-30T08:00:00.000Z');
    expect(m.text).toContain('Every open order: shipnow status --seller DE1');
    expect(m.text).not.toContain('token=');
  } finally {
    await bot.close();
  }
});

test('a weekly report is never folded into a digest of alarms', async () => {
  const sent: Array<{ alerts: string[] }> = [];
  await ddb.repository.putSeller({ sellerId: 'S9', name: 'S9', marketplaces: ['amazon.de'], createdAt: '2026-01-01T00:00:00.000Z', alerting: { channels: [{ id: 'hook', type: 'webhook', url: 'https://x.example/h' }], digestThreshold: 2 } } as never);
  const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
  const { weeklyReportAlert } = await import('../../functions/services/weekly-report');
  const { weeklyStatsOf } = await import('../../functions/domain/weekly-stats');
  const now = '2026-11-30T08:00:00.000Z';
  await outbox.put(weeklyReportAlert('S9', weeklyStatsOf([], { sellerId: 'S9', weekEnd: '2026-11-29', timeZone: 'Europe/Berlin' }), now), now);
  for (const i of [1, 2, 3]) await outbox.put({ alertId: `sync-broken:amazon.de:${i}`, sellerId: 'S9', kind: 'sync-broken', occurredAt: now, raisedAt: now, marketplace: 'amazon.de', sync: { reason: 'invalid-grant', detail: 'x', since: now } }, now);
  const channels = (c: { id: string; type: 'webhook' }) => ({ id: c.id, type: c.type, send: async (m: { alerts: Array<{ alertId: string }> }) => void sent.push({ alerts: m.alerts.map((a) => a.alertId) }) });
  const r = await sendDueAlerts({ outbox, health: outbox, sellers: ddb.repository, channels: channels as never, sleep: async () => {} }, now);
  expect(r).toMatchObject({ sent: 4, messages: 2, digests: 1 });
  expect(sent.map((m) => m.alerts.length).sort()).toEqual([1, 3]);
  expect(sent.find((m) => m.alerts.length === 1)!.alerts).toEqual(['weekly-report:2026-11-29']);
});
