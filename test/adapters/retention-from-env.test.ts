import { retentionFromEnv } from '../../functions/config';

describe('retentionFromEnv (what the stack sets on every function that writes the table)', () => {
  test('both set', () => {
    expect(retentionFromEnv({ SENTINEL_NOTIFICATION_RETENTION_DAYS: '90', SENTINEL_CLOSED_ORDER_RETENTION_DAYS: '60' })).toEqual({
      notificationDays: 90,
      closedOrderDays: 60,
    });
  });
  test('one set', () => {
    expect(retentionFromEnv({ SENTINEL_CLOSED_ORDER_RETENTION_DAYS: '30' })).toEqual({ closedOrderDays: 30 });
  });
  test('none set (local runs, tests): items are kept, no TTL', () => {
    expect(retentionFromEnv({})).toBeUndefined();
    expect(retentionFromEnv({ SENTINEL_NOTIFICATION_RETENTION_DAYS: '' })).toBeUndefined();
  });
  test.each(['0', '-3', 'ninety'])('a bad value (%s) stops the cold start with the variable named', (v) => {
    expect(() => retentionFromEnv({ SENTINEL_NOTIFICATION_RETENTION_DAYS: v })).toThrow(/SENTINEL_NOTIFICATION_RETENTION_DAYS must be a positive number of days/);
  });
});
