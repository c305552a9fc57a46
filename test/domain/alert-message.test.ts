import { countdown, formatTime, renderAlert, renderDigest } from '../../functions/domain/alert-message';
import type { Alert } from '../../functions/domain/alert-model';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from '../../functions/domain/alert-settings';
import { MISSING_ALERT } from '../support/alert-fixtures';

const NOW = '2026-11-28T12:00:00.000Z';
const SETTINGS: AlertSettings = { ...DEFAULT_ALERT_SETTINGS, timeZone: 'Asia/Shanghai' };
const MISSING: Alert = {
  ...MISSING_ALERT,
  deadlineAt: '2026-11-29T22:59:59.000Z',
  diagnosis: {
    cause: 'notification-preferences',
    marketplace: 'amazon.de',
    evidence: [{ marketplace: 'amazon.de', expected: 7, arrived: 0, since: '2026-11-24T08:00:00.000Z' }],
  },
};

test('both languages by default, Chinese first; times in the marketplace zone and the seller zone', () => {
  const m = renderAlert(MISSING, SETTINGS, NOW);
  expect(m.subject).toBe('[ShipNow Sentinel] 未收到「Sold, Ship Now」邮件: 028-4455667-1000003 / Sold, Ship Now email missing: 028-4455667-1000003');
  const [zh, en] = m.text.split('\n\n———\n\n');
  expect(zh).toContain('订单: 028-4455667-1000003');
  expect(zh).toContain('站点: amazon.de');
  expect(zh).toContain('下单时间: 2026-11-27 11:00 CET (您的时间 2026-11-27 18:00 GMT+8)');
  expect(zh).toContain('发货截止: 2026-11-29 23:59 CET (您的时间 2026-11-30 06:59 GMT+8) — 还剩 1天10小时');
  expect(zh).toContain('自动取消: 2026-12-08 23:59 CET (您的时间 2026-12-09 06:59 GMT+8) — 还剩 10天10小时');
  expect(zh).toContain('在卖家平台打开: https://sellercentral.amazon.de/orders-v3/order/028-4455667-1000003');
  expect(zh).toContain('可能原因: 只有一个站点受影响：该站点的通知首选项');
  expect(zh).toContain('amazon.de：自11/24星期二以来 7 个订单中有 0 个收到邮件');
  expect(zh).toContain('处理建议: 打开该站点卖家平台「设置 > 通知首选项 > 订单通知」');

  expect(en).toContain('Sold, Ship Now email missing: 028-4455667-1000003 (amazon.de)');
  expect(en).toContain('Ordered: 2026-11-27 11:00 CET (your time 2026-11-27 18:00 GMT+8)');
  expect(en).toContain('Email due by: 2026-11-27 12:00 CET (your time 2026-11-27 19:00 GMT+8)');
  expect(en).toContain('Ship by: 2026-11-29 23:59 CET (your time 2026-11-30 06:59 GMT+8) — in 1d 10h');
  expect(en).toContain('Auto-cancel: 2026-12-08 23:59 CET (your time 2026-12-09 06:59 GMT+8) — in 10d 10h');
  expect(en).toContain('Open in Seller Central: https://sellercentral.amazon.de/orders-v3/order/028-4455667-1000003');
  expect(en).toContain('amazon.de: 0 of 7 orders had an email since Tuesday 24 Nov');
  expect(en).toContain("What to do: Open that marketplace's Seller Central > Settings > Notification Preferences");
  expect(m.link).toBe('https://sellercentral.amazon.de/orders-v3/order/028-4455667-1000003');
});

test('one language when the seller chose one', () => {
  const en = renderAlert(MISSING, { ...SETTINGS, languages: ['en'] }, NOW);
  expect(en.subject).toBe('[ShipNow Sentinel] Sold, Ship Now email missing: 028-4455667-1000003');
  expect(en.text).not.toMatch(/[\u4e00-\u9fff]/);
  const zh = renderAlert(MISSING, { ...SETTINGS, languages: ['zh-CN'] }, NOW);
  expect(zh.text).not.toContain('Ship by');
});

test('same zone for seller and marketplace: shown once', () => {
  const m = renderAlert(MISSING, { ...SETTINGS, timeZone: 'Europe/Berlin', languages: ['en'] }, NOW);
  expect(m.text).toContain('Ordered: 2026-11-27 11:00 CET\n');
});

test('each kind renders in both languages', () => {
  const kinds: Alert[] = [
    { ...MISSING, alertId: 'r', kind: 'deadline-reminder', reminder: { step: 'ship-by-24h', deadline: 'ship-by', deadlineAt: '2026-11-29T22:59:59.000Z' } },
    { ...MISSING, alertId: 'x', kind: 'resolved', resolvedReason: 'email-arrived-late', diagnosis: undefined },
    { alertId: 'c', sellerId: 's1', kind: 'channel-down', occurredAt: NOW, raisedAt: NOW, channel: { missingInARow: 3, orderIds: ['1', '2', '3'], lastEmailAt: null } },
    { alertId: 's', sellerId: 's1', kind: 'sync-broken', occurredAt: NOW, raisedAt: NOW, marketplace: 'amazon.de', sync: { reason: 'invalid-grant', detail: '', since: '2026-11-28T01:00:00.000Z' } },
    {
      alertId: 'u',
      sellerId: 's1',
      kind: 'unknown-order',
      occurredAt: NOW,
      raisedAt: NOW,
      marketplace: 'amazon.com',
      notification: { orderId: '111-9999999-9999999', messageId: 'm', receivedAt: '2026-11-28T04:00:00.000Z', marketplace: 'amazon.com' },
    },
  ];
  const texts = kinds.map((a) => renderAlert(a, SETTINGS, NOW).text);
  expect(texts[0]).toContain('订单仍未发货，且通知邮件始终未到。发货截止: 还剩 1天10小时');
  expect(texts[0]).toContain('The order is still unshipped and its email never arrived. Ship by: in 1d 10h');
  expect(texts[1]).toContain('已解决: 「Sold, Ship Now」邮件迟到了，现已收到');
  expect(texts[1]).toContain('Resolved: the Sold, Ship Now email arrived late');
  expect(texts[2]).toContain('连续 3 个订单没有收到「Sold, Ship Now」邮件，至今未收到任何邮件。');
  expect(texts[2]).toContain('3 orders in a row have had no Sold, Ship Now email, and no email at all arrived yet.');
  expect(texts[3]).toContain('(invalid-grant)');
  expect(texts[3]).toContain('Re-authorise the app in Seller Central.');
  expect(texts[4]).toContain('A Sold, Ship Now email for order 111-9999999-9999999 arrived 8h 0m ago');
  expect(texts[4]).toContain('https://sellercentral.amazon.com/orders-v3/order/111-9999999-9999999');
});

test('digest: one message, most urgent first, both languages in the title', () => {
  const later = { ...MISSING, alertId: 'b', deadlineAt: '2026-12-01T00:00:00.000Z', order: { ...MISSING.order!, orderId: '028-4455667-1000009' } };
  const d = renderDigest([later, MISSING, MISSING, MISSING], SETTINGS, NOW);
  expect(d.subject).toBe('[ShipNow Sentinel] 4 条提醒 / 4 alerts');
  expect(d.text.indexOf('028-4455667-1000003')).toBeLessThan(d.text.indexOf('028-4455667-1000009'));
});

test('countdown and time formatting', () => {
  expect(countdown('2026-11-28T12:00:30.000Z', NOW, 'en')).toBe('now');
  expect(countdown('2026-11-28T10:30:00.000Z', NOW, 'en')).toBe('1h 30m ago');
  expect(countdown('2026-11-28T10:30:00.000Z', NOW, 'zh-CN')).toBe('已过 1小时30分钟');
  expect(formatTime('2026-07-01T12:00:00.000Z', 'America/Los_Angeles')).toBe('2026-07-01 05:00 GMT-7');
});

test('missing for an order that already shipped says so (evidence of lost mail, nothing to ship)', () => {
  const shipped: Alert = { ...MISSING, order: { ...MISSING.order!, orderState: 'Shipped', autoCancelAt: null } };
  const m = renderAlert(shipped, SETTINGS, NOW);
  expect(m.text).toContain('该订单已发货，但始终没有收到「Sold, Ship Now」邮件');
  expect(m.text).toContain('This order has already shipped, but its Sold, Ship Now email never arrived');
  expect(m.text).not.toContain('Auto-cancel:');
});
