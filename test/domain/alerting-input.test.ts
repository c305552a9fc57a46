import { alertSettings } from '../../functions/domain/alert-settings';
import { applyAlertingChange, parseAlertingFlags, showAlertingValue } from '../../functions/domain/alerting-input';
import type { Seller } from '../../functions/domain/types';

const seller = (alerting: unknown): Seller => ({ sellerId: 'S1', name: 'S', marketplaces: ['amazon.com'], createdAt: '2026-11-28T00:00:00.000Z', alerting } as Seller);

test('every flag becomes the setting the sender reads; other settings and the channels are kept', () => {
  const { change, problems } = parseAlertingFlags({
    'quiet-hours': '23:00 - 07:30',
    'alert-languages': 'en zh-CN',
    'ship-by-reminders': '4,24,12,24',
    'auto-cancel-reminders': '1;7',
    'digest-threshold': '5',
    'channel-down-after': '4',
    'unknown-order-hours': '1.5',
    'broken-channel-retry-hours': '12',
  });
  expect(problems).toEqual([]);
  const channels = [{ id: 'wecom', type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }];
  const { alerting, problem } = applyAlertingChange({ channels, timeZone: 'Asia/Tokyo' }, change);
  expect(problem).toBeUndefined();
  expect(alerting).toEqual({
    channels,
    timeZone: 'Asia/Tokyo',
    quietHours: { start: '23:00', end: '07:30' },
    languages: ['en', 'zh-CN'],
    reminders: { shipByHours: [24, 12, 4], autoCancelDays: [7, 1] },
    digestThreshold: 5,
    channelDownAfter: 4,
    unknownOrderHours: 1.5,
    brokenChannelRetryHours: 12,
  });
  const effective = alertSettings(seller(alerting));
  expect(effective).toMatchObject({ quietHours: { start: '23:00', end: '07:30' }, languages: ['en', 'zh-CN'], reminders: { shipByHours: [24, 12, 4], autoCancelDays: [7, 1] }, digestThreshold: 5 });
  expect(showAlertingValue('quiet-hours', alerting)).toBe('23:00-07:30');
  expect(showAlertingValue('ship-by-reminders', alerting)).toBe('24,12,4');
});

test('clearing goes back to the default; clearing the last reminder list removes the reminders object', () => {
  const start = { reminders: { shipByHours: [24] }, digestThreshold: 9 };
  const { alerting } = applyAlertingChange(start, { set: {}, clear: ['ship-by-reminders', 'digest-threshold'] });
  expect(alerting).toEqual({});
  expect(showAlertingValue('digest-threshold', alerting)).toBe('(default)');
  expect(alertSettings(seller(alerting)).reminders).toEqual({ shipByHours: [24, 12, 4], autoCancelDays: [7, 3, 1] });
});

test('each bad flag is named with what it accepts', () => {
  const { problems } = parseAlertingFlags({
    'quiet-hours': '11pm-7am',
    'alert-languages': 'de',
    'ship-by-reminders': '24,-1',
    'digest-threshold': '0',
    'channel-down-after': '1',
    'unknown-order-hours': 'soon',
  });
  expect(problems).toEqual([
    "--quiet-hours must be START-END in 24 h time, e.g. 23:00-07:30 (the seller's time zone) (got '11pm-7am')",
    "--alert-languages must list zh-CN and/or en, in the order shown, e.g. zh-CN,en (got 'de')",
    "--ship-by-reminders must list positive numbers of hours before ship-by, e.g. 24,12,4 (got '24,-1')",
    "--digest-threshold must be a whole number from 1 (got '0')",
    "--channel-down-after must be a whole number from 2 (got '1')",
    "--unknown-order-hours must be a positive number of hours (got 'soon')",
  ]);
});

test('settings the sender would refuse (a hand-written typo) are reported, not written over', () => {
  const { problem } = applyAlertingChange({ quietHour: { start: '23:00' } }, { set: { 'digest-threshold': 4 }, clear: [] });
  expect(problem).toMatch(/quietHour/);
});
