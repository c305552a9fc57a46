/** `shipnow report weekly` on a persisted embedded store: preview, the SVG chart, --send once per week through a real webhook. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLinkKeys } from '../../functions/adapters/link-key-file';
import { verifyLink } from '../../functions/domain/signed-links';
import { reportCommand } from '../../functions/local/commands/report';
import { startEmbeddedDynamoDb } from '../../functions/local/embedded-dynamodb';
import { sendJson, startWebhookServer, type ReceivedRequest, type WebhookServer } from '../support/local-servers';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

let dir: string;
let bot: WebhookServer;
const received: ReceivedRequest[] = [];
beforeAll(async () => {
  bot = await startWebhookServer((r, res) => {
    received.push(r);
    sendJson(res, 200, { ok: true });
  });
});
afterAll(() => bot.close());
beforeEach(async () => {
  received.length = 0;
  dir = mkdtempSync(join(tmpdir(), 'shipnow-report-'));
  const db = await startEmbeddedDynamoDb({ path: join(dir, 'dynamodb') });
  await db.repository.putSeller({
    sellerId: 'S1',
    name: 'Seller',
    marketplaces: ['amazon.de'],
    language: 'en',
    timeZone: 'Europe/Berlin',
    createdAt: '2026-11-01T00:00:00.000Z',
    alerting: { channels: [{ id: 'hook', type: 'webhook', url: `${bot.base}/hook` }] },
  } as never);
  for (const d of [3, 5, 9]) {
    await db.repository.addOrderStats('S1', 'amazon.de', '2026-11-25T10:00:00.000Z', { notified: 1, orderAt: '2026-11-25T10:00:00.000Z' }, new Date(Date.parse('2026-11-25T10:00:00.000Z') + d * 60_000).toISOString());
  }
  await db.repository.addOrderStats('S1', 'amazon.de', '2026-11-25T11:00:00.000Z', { missing: 1, orderAt: '2026-11-25T11:00:00.000Z' });
  await db.stop();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('preview in the seller language; --svg writes the chart; --web signs a status link with the data folder key', async () => {
  const r = io();
  const svg = join(dir, 'week.svg');
  const code = await reportCommand(['weekly', '--seller', 'S1', '--now', '2026-11-30T09:00:00+01:00', '--svg', svg, '--web', 'http://localhost:8080', '--data', dir], r.io);
  expect({ code, err: r.err }).toEqual({ code: 0, err: [] });
  const text = r.out.join('\n');
  expect(text).toContain('Weekly report: 23 – 29 Nov 2026');
  expect(text).toContain('Orders expecting a Sold, Ship Now email: 4; received 3, missing 1; median delay 5 min.');
  expect(text).toContain('Wed 25 Nov: 4 expected, 3 received, 1 missing, median delay 5 min');
  const token = /http:\/\/localhost:8080\/status\?token=(\S+)/.exec(text)?.[1];
  expect(verifyLink(decodeURIComponent(token!), await loadLinkKeys(dir), Date.parse('2026-11-30T09:00:00Z'), ['status'])).toMatchObject({ ok: true, claims: { sellerId: 'S1' } });
  const chart = readFileSync(svg, 'utf8');
  expect(chart).toMatch(/^<svg/);
  expect(chart).toContain('All marketplaces: Sold, Ship Now emails, 23 – 29 Nov 2026');
  expect(received).toEqual([]); // a preview sends nothing
});

test('--send delivers once per week through the seller channels; again: already queued, nothing sent', async () => {
  const first = io();
  expect(await reportCommand(['weekly', '--seller', 'S1', '--now', '2026-11-30T09:00:00+01:00', '--send', '--data', dir], first.io)).toBe(0);
  expect(first.out.join('\n')).toContain('weekly-report:2026-11-29: queued');
  expect(first.out.join('\n')).toContain("delivered through the seller's channels");
  expect(received).toHaveLength(1);
  expect(received[0].body).toMatchObject({ alerts: [{ kind: 'weekly-report', alertId: 'weekly-report:2026-11-29', weekly: { weekEnd: '2026-11-29' } }] });
  const again = io();
  expect(await reportCommand(['weekly', '--seller', 'S1', '--now', '2026-11-30T10:00:00+01:00', '--send', '--json', '--data', dir], again.io)).toBe(0);
  expect(JSON.parse(again.out[0])).toMatchObject({ queued: 'exists', delivered: 'already-sent' });
  expect(received).toHaveLength(1);
});

test.each([
  [['weekly'], /needs --seller ID/],
  [['weekly', '--seller', 'NOPE'], /no seller 'NOPE'/],
  [['weekly', '--seller', 'S1', '--week-ending', '29.11.2026'], /--week-ending: .*YYYY-MM-DD/],
  [['weekly', '--seller', 'S1', '--web', 'localhost'], /--web must be an http\(s\) URL/],
  [['monthly'], /unknown report command 'monthly'/],
])('%j: exit 2', async (args, message) => {
  const r = io();
  expect(await reportCommand([...args, '--data', dir], r.io)).toBe(2);
  expect(r.err.join('\n')).toMatch(message);
});
