/**
 * The mailbox probe in `npm start`: when Dovecot is installed, a throwaway local IMAP server is
 * started (functions/local/dovecot.ts) holding the example mail as a seller's mailbox would (the
 * missing US order's email filed in Junk by a spam filter), the probe looks for every missing
 * order and its finding is added to the alerts shown after. Without Dovecot the demo says how to
 * see it and goes on: it never fails because of it. SHIPNOW_DEMO_MAILBOX=0 leaves it out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapMailboxClient } from '../adapters/imap-mailbox';
import type { AlertLanguage } from '../domain/alert-model';
import { probeFindingText } from '../domain/mailbox-probe';
import { probeMailbox } from '../services/mailbox-probe';
import { DovecotMissingError, startDovecot } from './dovecot';
import type { CheckOutcome } from './run-check';

const USER = 'demo-seller@mail.example';
const PROVIDER = 'mx.mail.example';

/** Where the demo mailbox puts the email of this order instead of the inbox. */
const IN_JUNK = { orderId: '112-4455667-1000002', template: 'us-sold-ship-now.eml', templateOrder: '112-4455667-1000001' };

export async function demoMailboxProbe(outcome: CheckOutcome, exampleDir: string, lang: AlertLanguage, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  if (env.SHIPNOW_DEMO_MAILBOX === '0') return [];
  const missing = outcome.report.orders.filter((o) => o.status === 'missing').map((o) => o.orderId);
  if (missing.length === 0) return [];
  const title = lang === 'zh-CN' ? '邮箱探查（本地 IMAP 测试服务器）：' : 'Mailbox probe (a local IMAP test server):';
  let server;
  try {
    server = await startDovecot([{ user: USER, pass: 'demo-app-password' }]);
  } catch (e) {
    if (!(e instanceof DovecotMissingError) && !(e instanceof Error)) throw e;
    return [
      title,
      lang === 'zh-CN'
        ? '  未安装 Dovecot，跳过。要看到探查结果：apt-get install -y dovecot-imapd 后再运行 npm start；或用 shipnow mailbox probe 检查您自己的邮箱（docs/mailbox.md）。'
        : `  skipped: ${e instanceof DovecotMissingError ? 'Dovecot is not installed' : (e as Error).message}. To see it: apt-get install -y dovecot-imapd, then npm start again; or probe your own mailbox with shipnow mailbox probe (docs/mailbox.md).`,
    ];
  }
  try {
    const header = (raw: Buffer) => Buffer.concat([Buffer.from(`Authentication-Results: ${PROVIDER}; dkim=pass header.i=@amazon.com; dmarc=pass header.from=amazon.com\r\n`), raw]);
    const mailDir = join(exampleDir, 'mail');
    server.writeMessages(USER, 'INBOX', readdirSync(mailDir).sort().filter((f) => !f.startsWith('forged') && !f.startsWith('lookalike')).map((f) => header(readFileSync(join(mailDir, f)))));
    const junk = readFileSync(join(mailDir, IN_JUNK.template), 'latin1').replaceAll(IN_JUNK.templateOrder, IN_JUNK.orderId);
    server.writeMessages(USER, 'Junk', [header(Buffer.from(junk, 'latin1'))]);
    const session = await new ImapMailboxClient().open({ host: server.host, port: server.port, user: USER, password: 'demo-app-password', ca: server.ca });
    let findings;
    try {
      findings = (await probeMailbox(session, { orderIds: missing, now: outcome.report.now, trustReceivers: [PROVIDER] })).findings;
    } finally {
      await session.close();
    }
    for (const a of outcome.reconcile.alerts) {
      const f = a.order ? findings.find((x) => x.orderId === a.order!.orderId) : undefined;
      if (f) a.mailboxFinding = f;
    }
    return [title, ...findings.map((f) => `  ${f.orderId}  ${f.diagnosis}: ${probeFindingText(f, lang)}`), lang === 'zh-CN' ? '  （只读：EXAMINE、BODY.PEEK；--rescue 才会把邮件移回收件箱）' : '  (read-only: EXAMINE, BODY.PEEK; only --rescue moves an email back to the inbox)'];
  } finally {
    await server.stop();
  }
}
