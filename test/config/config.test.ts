/**
 * functions/config.ts: every section validated once, typed and frozen; an empty variable is unset;
 * a bad one stops the cold start with the variable named.
 */
import { ConfigError, readOrderSyncConfig, readTableConfig } from '../../functions/config';
import { DEFAULT_SECRETS_PREFIX, ENV } from '../../functions/constants';
import { DEFAULT_POLICY } from '../../functions/domain/types';

describe('order-sync section', () => {
  test('defaults where the stack sets nothing', () => {
    const c = readOrderSyncConfig({ [ENV.TABLE_NAME]: 't' });
    expect(c).toEqual({
      tableName: 't',
      secretsPrefix: DEFAULT_SECRETS_PREFIX,
      eventBusName: 'default',
      overlapMinutes: 10,
      graceMinutes: DEFAULT_POLICY.graceMinutes,
      policy: DEFAULT_POLICY,
    });
    expect('queueUrl' in c).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.policy)).toBe(true);
  });

  test('what the stack sets, and an empty variable counts as unset', () => {
    const c = readOrderSyncConfig({
      [ENV.TABLE_NAME]: 't',
      [ENV.SYNC_QUEUE_URL]: 'https://sqs.eu-west-1.amazonaws.com/1/q',
      [ENV.SP_API_SECRETS_PREFIX]: '',
      [ENV.SYNC_OVERLAP_MINUTES]: '30',
      [ENV.GRACE_MINUTES]: '90',
    });
    expect(c).toMatchObject({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/q', secretsPrefix: DEFAULT_SECRETS_PREFIX, overlapMinutes: 30, graceMinutes: 90 });
    expect(c.policy).toEqual({ ...DEFAULT_POLICY, graceMinutes: 90 });
  });

  test.each([
    [{ [ENV.SYNC_OVERLAP_MINUTES]: '1441' }, ENV.SYNC_OVERLAP_MINUTES],
    [{ [ENV.GRACE_MINUTES]: 'an hour' }, ENV.GRACE_MINUTES],
    [{ [ENV.TABLE_NAME]: '' }, ENV.TABLE_NAME],
  ])('a bad value stops the cold start naming the variable (%o)', (env, name) => {
    const read = () => readOrderSyncConfig({ [ENV.TABLE_NAME]: 't', ...env });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(new RegExp(`^order-sync configuration: ${name}`));
  });
});

describe('table section', () => {
  test('the table and its retention, read together', () => {
    expect(readTableConfig({ [ENV.TABLE_NAME]: 't', [ENV.CLOSED_ORDER_RETENTION_DAYS]: '30' })).toEqual({ tableName: 't', retention: { closedOrderDays: 30 } });
    expect(readTableConfig({ [ENV.TABLE_NAME]: 't' })).toEqual({ tableName: 't' });
    expect(() => readTableConfig({})).toThrow(/^table configuration: SENTINEL_TABLE_NAME/);
  });
});
