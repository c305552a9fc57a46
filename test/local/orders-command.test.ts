/** `shipnow orders sync|import` in process, on a persisted embedded store in a temp folder. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';
import { ordersCommand } from '../../functions/local/commands/orders';
import { FakeSpApi } from '../support/fake-sp-api';

const T0 = Date.parse('2024-12-26T00:00:00Z');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

describe('shipnow orders', () => {
  let dir: string;
  let server: FakeSpApi;
  const env = () => ({ SHIPNOW_LWA_CLIENT_ID: 'cid', SHIPNOW_LWA_CLIENT_SECRET: 'csecret', SHIPNOW_SP_API_REFRESH_TOKEN: 'Atzr|cli' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shipnow-orders-'));
    const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
    await db.repository.putSeller({ sellerId: 'A1CLI', name: 'CLI', marketplaces: ['amazon.com'], createdAt: '2024-12-01T00:00:00.000Z' });
    await db.stop();
    server = await new FakeSpApi().start();
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('orders sync --seller: syncs into the embedded store and says what it did', async () => {
    const t = io();
    const code = await ordersCommand(
      ['sync', '--seller', 'A1CLI', '--data', dir, '--sp-api-url', server.endpoints.NA, '--lwa-url', server.lwaUrl, '--json'],
      t.io,
      { env: env(), now: () => T0 },
    );
    expect(t.err).toEqual([]);
    expect(code).toBe(0);
    const out = JSON.parse(t.out[0]);
    expect(out).toEqual(expect.objectContaining({ status: 'synced', ordersSeen: 1, ordersWritten: 1 }));
    expect(JSON.stringify(t.out)).not.toContain('Atzr|cli');
    expect(server.ordersRequests('na')[0].query.get('fulfilledBy')).toBe('MERCHANT');
  });

  test('a revoked token: exit 1 and a loud line on stderr', async () => {
    server.revokedRefreshTokens.add('Atzr|cli');
    const t = io();
    const code = await ordersCommand(['sync', '--seller', 'A1CLI', '--data', dir, '--sp-api-url', server.endpoints.NA, '--lwa-url', server.lwaUrl], t.io, {
      env: env(),
      now: () => T0 + 3600_000,
    });
    server.revokedRefreshTokens.clear();
    expect(code).toBe(1);
    expect(t.out[0]).toMatch(/^A1CLI: partial/);
    expect(t.err.join('\n')).toMatch(/order sync BROKEN for A1CLI on amazon\.com: invalid-grant/);
  });

  test('orders import FILE --seller: a report, with the seller’s one marketplace', async () => {
    const file = join(dir, 'report.txt');
    writeFileSync(
      file,
      ['order-id\tpurchase-date\tpayments-date', '112-0000000-0000001\t2024-12-24T10:00:00+00:00\t2024-12-24T10:01:00+00:00', '112-0000000-0000002\t2024-12-24T11:00:00+00:00\t'].join('\n'),
    );
    const t = io();
    expect(await ordersCommand(['import', file, '--seller', 'A1CLI', '--data', dir, '--json'], t.io, { now: () => T0, progress: false })).toBe(0);
    expect(JSON.parse(t.out[0])).toEqual(expect.objectContaining({ format: 'report', orders: 2, written: 2 }));
  });

  test('bad input: exit 2 with one line', async () => {
    const t = io();
    expect(await ordersCommand(['import', join(dir, 'nope.txt'), '--seller', 'A1CLI', '--data', dir], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/^shipnow: .*nope\.txt/);
    expect(await ordersCommand(['sync', '--data', dir], t.io, { env: env() })).toBe(2);
    expect(await ordersCommand(['sync', '--seller', 'A1CLI', '--data', dir], t.io, { env: {} })).toBe(2);
    expect(t.err.at(-1)).toMatch(/needs credentials/);
    expect(await ordersCommand(['sync', '--seller', 'NOBODY', '--data', dir], t.io, { env: env() })).toBe(2);
    expect(await ordersCommand(['frobnicate'], t.io)).toBe(2);
  });
});

describe('shipnow orders import, large file', () => {
  test('imports in chunks with the progress bar on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipnow-orders-big-'));
    try {
      const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
      await db.repository.putSeller({ sellerId: 'A1BIG', name: 'Big', marketplaces: ['amazon.de'], createdAt: '2024-12-01T00:00:00.000Z' });
      await db.stop();
      const rows = ['order-id\tpurchase-date\tpayments-date'];
      for (let i = 0; i < 250; i++) rows.push(`028-0000000-${String(i).padStart(7, '0')}\t2024-12-24T10:00:00+00:00\t2024-12-24T10:01:00+00:00`);
      writeFileSync(join(dir, 'big.txt'), rows.join('\n'));
      const drawn: string[] = [];
      const stream = { isTTY: false, write: (c: string) => (drawn.push(c), true) } as unknown as NodeJS.WritableStream;
      const t = io();
      expect(await ordersCommand(['import', join(dir, 'big.txt'), '--seller', 'A1BIG', '--data', dir, '--json'], t.io, { progress: true, progressStream: stream })).toBe(0);
      expect(JSON.parse(t.out[0])).toEqual(expect.objectContaining({ orders: 250, written: 250 }));
      expect(drawn.join('')).toMatch(/250\/250 orders/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
