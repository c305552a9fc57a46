/**
 * The per-request timeout of the SP-API client, over real HTTP: a server that accepts the
 * connection and never answers must not hold a sync worker until the Lambda dies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpApiClient, SpApiError } from '../../functions/adapters/sp-api-client';

describe('SpApiClient request timeout', () => {
  let server: Server;
  let base: string;
  const held: ServerResponse[] = [];
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      requests++;
      held.push(res); // never answered
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    held.forEach((res) => res.destroy());
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('aborts a request that gets no answer within requestTimeoutMs, and says so', async () => {
    const client = new SpApiClient({ lwaTokenUrl: `${base}/auth/o2/token`, maxAttempts: 1, requestTimeoutMs: 150, sleep: async () => undefined });
    const started = Date.now();
    const err = await client
      .listOrders('2026-01-01', {
        sellerId: 'A1SELLER',
        region: 'NA',
        marketplaceIds: ['ATVPDKIKX0DER'],
        lastUpdatedAfter: '2024-12-01T00:00:00.000Z',
        credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'r' },
        deadlineMs: Date.now() + 60_000,
      })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(SpApiError);
    expect(err).toMatchObject({ operation: 'lwa-token', status: 0 });
    expect((err as SpApiError).message).toMatch(/^lwa-token: no response: /);
    expect(((err as SpApiError).cause as Error).name).toBe('TimeoutError');
    expect(requests).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(5_000);
  });
});
