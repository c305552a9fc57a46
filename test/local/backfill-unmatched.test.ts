/**
 * `shipnow mail backfill-unmatched`: the upgrade step for notifications stored before the
 * unknown-order sweep, on the embedded store persisted in a data folder (real dynalite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailCommand } from '../../functions/local/commands/mail';
import { openStore } from '../../functions/local/commands/store';
import type { NotificationRecord } from '../../functions/domain/types';

const NOW = '2026-11-28T12:00:00.000Z';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

function notification(orderId: string, messageId: string, matchedAt?: string): NotificationRecord {
  return {
    sellerId: 'A1SHOP',
    orderId,
    messageId,
    marketplace: 'amazon.com',
    language: 'en',
    receivedAt: '2026-11-20T08:00:00.000Z',
    location: `inbound/${messageId}`,
    verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass', spam: 'pass', virus: 'pass', authservId: 'amazonses.com' },
    ...(matchedAt ? { matchedAt } : {}),
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shipnow-backfill-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('puts the unmatched notifications an older version stored back into the due index; matched ones stay out; a rerun is harmless', async () => {
  // As an older version left them: stored, but not in the due index.
  const before = await openStore({ data: dir });
  try {
    await before.repo.putSeller({ sellerId: 'A1SHOP', name: 'Shop', marketplaces: ['amazon.com'], createdAt: NOW });
    for (const n of [notification('111-0000000-0000001', 'm1'), notification('111-0000000-0000002', 'm2', '2026-11-20T09:00:00.000Z')]) {
      await before.repo.putNotification(n);
      await before.repo.clearNotificationDue(n);
    }
    expect((await before.repo.queryDueNotifications(NOW)).notifications).toEqual([]);
  } finally {
    await before.close();
  }

  const dry = capture();
  expect(await mailCommand(['backfill-unmatched', '--data', dir, '--dry-run', '--json'], dry.io)).toBe(0);
  expect(JSON.parse(dry.out[0])).toEqual({ sellers: 1, notifications: 2, scheduled: 1, matched: 1, dryRun: true });

  const run = capture();
  expect(await mailCommand(['backfill-unmatched', '--data', dir], run.io)).toBe(0);
  expect(run.out[0]).toMatch(/^1 seller\(s\), 2 notification\(s\): 1 unmatched scheduled for the unknown-order check, 1 already matched/);
  expect(await mailCommand(['backfill-unmatched', '--data', dir], capture().io)).toBe(0);

  const after = await openStore({ data: dir });
  try {
    const due = (await after.repo.queryDueNotifications(NOW)).notifications;
    expect(due.map((n) => n.messageId)).toEqual(['m1']);
  } finally {
    await after.close();
  }

  const unknown = capture();
  expect(await mailCommand(['backfill-unmatched', '--data', dir, '--seller', 'NOPE'], unknown.io)).toBe(2);
  expect(unknown.err[0]).toMatch(/^shipnow: no seller 'NOPE'/);
});
