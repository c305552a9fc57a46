/**
 * The embedded runtime can take mail in through the same intake service as SES: the verdicts on
 * each file of the fixture folders are the ones the direct `ingestEmail` path (today's
 * run-check) gives, so `check`'s report does not change when it switches to the intake.
 */
import { join } from 'node:path';
import { DynamoDbIntakeLedger } from '../../functions/adapters/dynamodb/intake-ledger';
import { DEFAULT_POLICY } from '../../functions/domain/types';
import { intakeMailFolder } from '../../functions/local/folder-intake';
import { readMailFolder } from '../../functions/local/mail-folder';
import { ingestEmail } from '../../functions/services/ingest-email';
import { useDynalite } from '../support/dynalite';

const ddb = useDynalite({ freshTablePerTest: true });
const NOW = '2026-11-28T12:00:00.000Z';

for (const dir of [join(__dirname, '..', 'fixtures', 'mail'), join(__dirname, '..', '..', 'examples', 'mail')]) {
  test(`same verdicts as the direct ingest path for ${dir.split('/').slice(-2).join('/')}`, async () => {
    const repo = ddb.repository;
    await repo.putSeller({ sellerId: 'S', name: 'S', marketplaces: [], createdAt: NOW });

    const direct: Array<{ file: string; reason: string }> = [];
    for await (const m of readMailFolder(dir)) {
      if ('error' in m) continue;
      const r = await ingestEmail(repo, { sellerId: 'S', raw: m.raw, messageId: m.messageId, location: m.file, fallbackReceivedAt: m.modifiedAt }, NOW, DEFAULT_POLICY);
      if (r.outcome === 'rejected') direct.push({ file: m.file, reason: r.reason });
    }
    const directNotifications = (await repo.listNotifications('S')).map((n) => `${n.orderId} ${n.location} ${n.receivedAt}`).sort();

    const fresh = await ddb.freshTable();
    await fresh.putSeller({ sellerId: 'S', name: 'S', marketplaces: [], createdAt: NOW });
    const ledger = new DynamoDbIntakeLedger({ client: ddb.client, tableName: ddb.tableName });
    const { rejectedMail, results } = await intakeMailFolder({ repo: fresh, ledger, dir, now: NOW, policy: DEFAULT_POLICY, sellerId: 'S' });

    expect(rejectedMail).toEqual(direct);
    expect((await fresh.listNotifications('S')).map((n) => `${n.orderId} ${n.location} ${n.receivedAt}`).sort()).toEqual(directNotifications);
    expect(results.length).toBeGreaterThan(5);
  });
}
