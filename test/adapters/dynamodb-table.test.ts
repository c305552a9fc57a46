import { UnsupportedValueError, fromAttributes, fromItem, toAttributes } from '../../functions/adapters/dynamodb/table';

test('marshalling leaves undefined members out and round-trips what the domain stores', () => {
  const item = { pk: 'SELLER#S', sk: 'ORDER#1', version: 3, alertAfter: undefined, tags: ['a', null], nested: { ok: true, n: 1.5 } };
  const attrs = toAttributes(item);
  expect(attrs).toEqual({
    pk: { S: 'SELLER#S' },
    sk: { S: 'ORDER#1' },
    version: { N: '3' },
    tags: { L: [{ S: 'a' }, { NULL: true }] },
    nested: { M: { ok: { BOOL: true }, n: { N: '1.5' } } },
  });
  expect(fromAttributes(attrs)).toEqual({ pk: 'SELLER#S', sk: 'ORDER#1', version: 3, tags: ['a', null], nested: { ok: true, n: 1.5 } });
});

test('refuses what the table cannot hold, naming where it is', () => {
  expect(() => toAttributes({ a: { b: Number.NaN } })).toThrow(new UnsupportedValueError('item.a.b', 'NaN is not a finite number'));
  expect(() => toAttributes({ at: new Date(0) })).toThrow(UnsupportedValueError);
  expect(() => toAttributes({ f: () => 1 })).toThrow('cannot store item.f: a function');
});

test('fromItem drops the layout attributes (keys, due keys, TTL)', () => {
  expect(fromItem({ pk: 'p', sk: 's', duePk: 'DUE#0', dueSk: 'x', expiresAt: 1, orderId: 'o' })).toEqual({ orderId: 'o' });
});
