/**
 * "Handled" / "snooze 4 h" links in every alert: rendered into email (text + HTML) and every chat
 * channel's real request (local HTTP bot server, aws-ses-v2-local), signed with the data folder's
 * key file, verifying for the right seller, order, purpose and snooze; and, through the sender on
 * dynalite, signed at send time. Without a web endpoint: no links, the CLI command instead.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeChannelFactory } from '../../functions/adapters/channels/factory';
import { DynamoDbOutbox } from '../../functions/adapters/dynamodb/outbox';
import { linkKeyPath, loadLinkKeys, rotateLinkKey } from '../../functions/adapters/link-key-file';
import { renderAlert, renderDigest } from '../../functions/domain/alert-message';
import type { Alert } from '../../functions/domain/alert-model';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings, type ChannelConfig } from '../../functions/domain/alert-settings';
import { LINK_LIFETIME_SECONDS, verifyLink } from '../../functions/domain/signed-links';
import { sendDueAlerts } from '../../functions/services/send-alerts';
import { useDynalite } from '../support/dynalite';
import { MISSING_ALERT } from '../support/alert-fixtures';
import { sendJson, startLocalSes, startWebhookServer, type ReceivedRequest, type WebhookServer } from '../support/local-servers';

const NOW = '2026-11-28T12:00:00.000Z';
const NOW_MS = Date.parse(NOW);
const ORDER = '028-4455667-1000003';
const WEB = 'https://web.shipnow.example/prod';
const ALERT: Alert = { ...MISSING_ALERT };
const SETTINGS: AlertSettings = { ...DEFAULT_ALERT_SETTINGS, timeZone: 'Asia/Shanghai' };

let dir: string;
let keys: Uint8Array[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'links-'));
  keys = await loadLinkKeys(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tokens of every `/ack?token=` link in a text, verified with the key file's keys. */
function linksIn(text: string) {
  return [...text.matchAll(/https:\/\/web\.shipnow\.example\/prod\/ack\?token=([A-Za-z0-9_.%-]+)/g)].map((m) => {
    const v = verifyLink(decodeURIComponent(m[1]), keys, NOW_MS, ['ack', 'snooze']);
    if (!v.ok) throw new Error(`link does not verify: ${v.reason}`);
    return v.claims;
  });
}

const HANDLED = { sellerId: 's1', purpose: 'ack', orderId: ORDER, expiresAt: NOW_MS / 1000 + LINK_LIFETIME_SECONDS.ack };
const SNOOZE = { sellerId: 's1', purpose: 'snooze', orderId: ORDER, snoozeMinutes: 240, expiresAt: NOW_MS / 1000 + LINK_LIFETIME_SECONDS.snooze };

describe('the link key file', () => {
  test('created once, 0600, 43 characters of base64url; read back the same; rotation keeps the old key second', async () => {
    expect(statSync(linkKeyPath(dir)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(keys[0]).toString('utf8')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await loadLinkKeys(dir)).toEqual(keys);
    const other = mkdtempSync(join(tmpdir(), 'links-'));
    try {
      const [a, b] = await Promise.all([loadLinkKeys(other), loadLinkKeys(other)]);
      expect(a).toEqual(b);
      await rotateLinkKey(other);
      const rotated = await loadLinkKeys(other);
      expect(rotated).toHaveLength(2);
      expect(rotated[1]).toEqual(a[0]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('rendered', () => {
  const signing = () => ({ webBaseUrl: WEB, key: keys[0], nowMs: NOW_MS });

  test('text, markdown and HTML carry "handled" and "snooze 4 h" in both languages, each verifying', () => {
    const m = renderAlert(ALERT, SETTINGS, NOW, signing());
    expect(m.text).toContain('已处理（停止提醒）: https://web.shipnow.example/prod/ack?token=');
    expect(m.text).toContain('暂停提醒 4 小时: https://');
    expect(m.text).toContain('Handled (stop the reminders): https://');
    expect(m.text).toContain('Snooze 4 h: https://');
    expect(linksIn(m.text)).toEqual([HANDLED, SNOOZE, HANDLED, SNOOZE]);
    expect(m.markdown).toMatch(/\[Snooze 4 h\]\(https:\/\/web\.shipnow\.example\/prod\/ack\?token=[^)]+\)/);
    expect(linksIn(m.markdown)).toHaveLength(4);
    expect(m.html).toMatch(/<a href="https:\/\/web\.shipnow\.example\/prod\/ack\?token=[^"]+" style="background:#2e7d32[^"]*">Handled \(stop the reminders\)<\/a>/);
    expect(m.html).toContain('>暂停提醒 4 小时</a>');
    expect(m.html).toContain('<a href="https://sellercentral.amazon.de/orders-v3/order/028-4455667-1000003">');
    expect(m.actions?.map((a) => a.kind)).toEqual(['handled', 'snooze']);
    expect(m.text).not.toContain('shipnow alerts ack');
  });

  test('without a web endpoint: no links, the CLI command instead; alerts with nothing to stop carry neither', () => {
    const m = renderAlert(ALERT, SETTINGS, NOW);
    expect(m.text).not.toContain('token=');
    expect(m.text).toContain(`To stop the reminders: shipnow alerts ack --seller s1 --order ${ORDER} [--snooze 4h]`);
    expect(m.text).toContain(`停止提醒：shipnow alerts ack --seller s1 --order ${ORDER} [--snooze 4h]`);
    const resolved = renderAlert({ ...ALERT, alertId: `resolved:${ORDER}`, kind: 'resolved', resolvedReason: 'shipped' }, SETTINGS, NOW, signing());
    expect(resolved.text).not.toContain('token=');
    expect(resolved.text).not.toContain('shipnow alerts ack');
  });

  test('a digest carries each order alert its own links', () => {
    const other = { ...ALERT, alertId: 'notification-missing:028-4455667-1000004', order: { ...ALERT.order!, orderId: '028-4455667-1000004' } };
    const d = renderDigest([ALERT, other], { ...SETTINGS, languages: ['en'] }, NOW, signing());
    expect(linksIn(d.text).map((c) => `${c.purpose}:${c.orderId}`)).toEqual([
      `ack:${ORDER}`,
      `snooze:${ORDER}`,
      'ack:028-4455667-1000004',
      'snooze:028-4455667-1000004',
    ]);
    expect(linksIn(d.html!)).toHaveLength(4);
  });
});

describe('every channel, over its real protocol', () => {
  let bot: WebhookServer;
  const received: ReceivedRequest[] = [];
  beforeAll(async () => {
    bot = await startWebhookServer((r, res) => {
      received.push(r);
      sendJson(res, 200, { errcode: 0, errmsg: 'ok', code: 0, msg: 'ok' });
    });
  });
  afterAll(() => bot.close());

  test('DingTalk, WeCom, Feishu, Slack, the JSON webhook and SES email each deliver both links', async () => {
    const ses = await startLocalSes();
    const client = new SESv2Client({ endpoint: ses.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const factory = makeChannelFactory({ ses: { client, from: 'alerts@shipnow.example' }, http: { timeoutMs: 2000, nowMs: () => NOW_MS } });
      const message = { sellerId: 's1', alerts: [ALERT], message: renderAlert(ALERT, SETTINGS, NOW, { webBaseUrl: WEB, key: keys[0], nowMs: NOW_MS }) };
      const configs: ChannelConfig[] = [
        { id: 'dt', type: 'dingtalk', url: `${bot.base}/dingtalk`, secret: 'SECx' },
        { id: 'wc', type: 'wecom', url: `${bot.base}/wecom` },
        { id: 'fs', type: 'feishu', url: `${bot.base}/feishu`, secret: 'fsx' },
        { id: 'sl', type: 'slack', url: `${bot.base}/slack` },
        { id: 'wh', type: 'webhook', url: `${bot.base}/hook` },
        { id: 'em', type: 'email', to: ['seller@example.cn'] },
      ];
      for (const c of configs) await factory(c).send(message);
      const body = (path: string) => received.find((r) => r.path === path)!.body as Record<string, any>;
      expect(linksIn(body('/dingtalk').markdown.text)).toEqual([HANDLED, SNOOZE, HANDLED, SNOOZE]);
      expect(body('/dingtalk').markdown.text).toContain('[已处理（停止提醒）](https://');
      expect(linksIn(body('/wecom').markdown.content)).toHaveLength(4);
      expect(linksIn(body('/feishu').content.text)).toHaveLength(4);
      // Slack's own link syntax.
      expect(body('/slack').text).toMatch(/<https:\/\/web\.shipnow\.example\/prod\/ack\?token=[^|>]+\|Snooze 4 h>/);
      expect(linksIn(body('/slack').text)).toHaveLength(4);
      expect(body('/hook').message.actions.map((a: { kind: string }) => a.kind)).toEqual(['handled', 'snooze']);
      expect(linksIn(body('/hook').message.actions.map((a: { url: string }) => a.url).join(' '))).toEqual([HANDLED, SNOOZE]);
      const [mail] = await ses.emails();
      expect(linksIn(mail.body.text!)).toHaveLength(4);
      expect(mail.body.html).toContain('>Handled (stop the reminders)</a>');
      expect(linksIn(mail.body.html!.replace(/&amp;/g, '&'))).toHaveLength(4);
    } finally {
      client.destroy();
      await ses.close();
    }
  });
});

describe('through the sender (dynalite)', () => {
  const ddb = useDynalite({ freshTablePerTest: true });
  test('signed when sent, with the current key; a key that cannot be loaded sends without links and reports it', async () => {
    const outbox = new DynamoDbOutbox({ client: ddb.client, tableName: ddb.tableName });
    const sent: string[] = [];
    const channel = (c: ChannelConfig) => ({ id: c.id, type: c.type, send: async (m: { message: { text: string } }) => void sent.push(m.message.text) });
    await ddb.repository.putSeller({ sellerId: 's1', name: 'S1', marketplaces: ['amazon.de'], createdAt: NOW, alerting: { channels: [{ id: 'hook', type: 'webhook', url: 'https://x.example/h' }] } } as never);
    await outbox.put(ALERT, NOW);
    const deps = { outbox, health: outbox, sellers: ddb.repository, channels: channel, sleep: async () => {} };
    const later = '2026-11-28T12:05:00.000Z';
    await sendDueAlerts({ ...deps, links: { webBaseUrl: WEB, keys: () => loadLinkKeys(dir) } }, later);
    const claims = linksIn(sent[0]);
    expect(claims).toHaveLength(4);
    // Expiry counts from the send, not from when the alert was raised.
    expect(claims[0].expiresAt).toBe(Date.parse(later) / 1000 + LINK_LIFETIME_SECONDS.ack);

    await outbox.put({ ...ALERT, alertId: 'notification-missing:028-4455667-1000009', order: { ...ALERT.order!, orderId: '028-4455667-1000009' } }, later);
    const r = await sendDueAlerts({ ...deps, links: { webBaseUrl: WEB, keys: async () => Promise.reject(new Error('AccessDenied')) } }, later);
    expect(r.sent).toBe(1);
    expect(sent[1]).toContain('shipnow alerts ack --seller s1 --order 028-4455667-1000009');
    expect(r.errors).toEqual([expect.objectContaining({ channelId: 'link-keys' })]);
  });
});
