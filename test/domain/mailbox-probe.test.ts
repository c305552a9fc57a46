import {
  advanceCursor,
  amazonSenderDomains,
  defaultTrustReceivers,
  diagnoseOrder,
  folderRole,
  MAILBOX_FULL_PERCENT,
  planFolderScan,
  probeFindingText,
  probeFolders,
  probeSearches,
  quotaPercent,
  type ProbeHit,
} from '../../functions/domain/mailbox-probe';
import { parseImapUrl } from '../../functions/domain/seller-input';

const NOW = '2026-11-28T12:00:00.000Z';
const folder = (path: string, specialUse?: string, flags: string[] = []) => ({ path, name: path.split('/').pop()!, ...(specialUse ? { specialUse } : {}), flags });

describe('folder roles', () => {
  test('SPECIAL-USE decides first, whatever the name', () => {
    expect(folderRole(folder('Bulk Mail', '\\Junk'))).toBe('junk');
    expect(folderRole(folder('Papelera', '\\Trash'))).toBe('trash');
    expect(folderRole(folder('X', undefined, ['\\HasNoChildren', '\\Junk']))).toBe('junk');
    expect(folderRole(folder('[Gmail]/All Mail', '\\All'))).toBe('archive');
    expect(folderRole(folder('INBOX'))).toBe('inbox');
  });

  test.each([
    ['[Gmail]/Spam', 'junk'],
    ['Junk E-mail', 'junk'],
    ['垃圾邮件', 'junk'],
    ['垃圾箱', 'junk'],
    ['Spamverdacht', 'junk'],
    ['Courrier indésirable', 'junk'],
    ['迷惑メール', 'junk'],
    ['Deleted Items', 'trash'],
    ['已删除邮件', 'trash'],
    ['已删除', 'trash'],
    ['Papierkorb', 'trash'],
    ['Corbeille', 'trash'],
    ['ごみ箱', 'trash'],
    ['Sent Items', 'sent'],
    ['已发送', 'sent'],
    ['草稿箱', 'drafts'],
    ['Amazon', 'other'],
  ])('without SPECIAL-USE, %s is %s', (path, role) => {
    expect(folderRole(folder(path))).toBe(role);
  });

  test('the probe searches inbox, junk and trash first, then own folders; never sent, drafts or unselectable ones', () => {
    const got = probeFolders([
      folder('Sent', '\\Sent'),
      folder('Orders/Amazon'),
      folder('Trash', '\\Trash'),
      folder('[Gmail]', undefined, ['\\Noselect']),
      folder('[Gmail]/Spam'),
      folder('INBOX'),
      folder('Drafts', '\\Drafts'),
      folder('Archive', '\\Archive'),
    ]);
    expect(got).toEqual([
      { path: 'INBOX', role: 'inbox' },
      { path: '[Gmail]/Spam', role: 'junk' },
      { path: 'Trash', role: 'trash' },
      { path: 'Archive', role: 'archive' },
      { path: 'Orders/Amazon', role: 'other' },
    ]);
  });
});

describe('what the server is asked', () => {
  test("Amazon's sender domains of every marketplace, once each", () => {
    const d = amazonSenderDomains();
    expect(d).toEqual(expect.arrayContaining(['amazon.com', 'amazon.de', 'amazon.co.jp', 'amazon.co.uk']));
    expect(new Set(d).size).toBe(d.length);
  });

  test('order IDs in chunks of 25, deduplicated, with the SINCE window', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `112-0000000-${String(i).padStart(7, '0')}`);
    const s = probeSearches([...ids, ids[0]], '2026-10-28T12:00:00.000Z');
    expect(s.map((x) => x.orderIds!.length)).toEqual([25, 5]);
    expect(s[0].since).toBe('2026-10-28T12:00:00.000Z');
  });
});

describe('intake resume', () => {
  const box = { uidValidity: '1700000000', uidNext: 42 };

  test('first run: from UID 1 within the 31-day window', () => {
    expect(planFolderScan(undefined, box, NOW)).toEqual({ uidFrom: 1, since: '2026-10-28T12:00:00.000Z', rescan: false, uidNext: 42 });
  });

  test('same UIDVALIDITY: after the last UID; changed: rescan from 1', () => {
    expect(planFolderScan({ uidValidity: '1700000000', lastUid: 30 }, box, NOW)).toMatchObject({ uidFrom: 31, rescan: false });
    expect(planFolderScan({ uidValidity: '1600000000', lastUid: 30 }, box, NOW)).toMatchObject({ uidFrom: 1, rescan: true });
  });

  test('the cursor moves to UIDNEXT - 1, or stops before the first message that failed; never back', () => {
    const plan = planFolderScan({ uidValidity: '1700000000', lastUid: 30 }, box, NOW);
    expect(advanceCursor(plan, '1700000000', { uidValidity: '1700000000', lastUid: 30 })).toEqual({ uidValidity: '1700000000', lastUid: 41 });
    expect(advanceCursor(plan, '1700000000', { uidValidity: '1700000000', lastUid: 30 }, 35)).toEqual({ uidValidity: '1700000000', lastUid: 34 });
    expect(advanceCursor(plan, '1700000000', { uidValidity: '1700000000', lastUid: 30 }, 31)).toEqual({ uidValidity: '1700000000', lastUid: 30 });
    const rescan = planFolderScan({ uidValidity: '1', lastUid: 900 }, box, NOW);
    expect(advanceCursor(rescan, '1700000000', { uidValidity: '1', lastUid: 900 })).toEqual({ uidValidity: '1700000000', lastUid: 41 });
  });
});

describe('diagnosis', () => {
  const ID = '112-4455667-1000002';
  const hit = (role: ProbeHit['role'], over: Partial<ProbeHit> = {}): ProbeHit => ({ folder: role === 'inbox' ? 'INBOX' : role, role, uid: 7, orderIds: [ID], soldShipNow: true, verified: true, forged: false, receivedAt: NOW, ...over });
  const searched = ['INBOX', 'Junk', 'Trash'];

  test.each([
    [[hit('junk')], 'filtered'],
    [[hit('other', { folder: 'Orders' })], 'filtered'],
    [[hit('trash')], 'deleted'],
    [[hit('inbox')], 'in-inbox'],
    [[hit('trash'), hit('junk'), hit('inbox')], 'in-inbox'],
    [[hit('trash'), hit('junk')], 'filtered'],
    [[], 'not-delivered'],
    [[hit('junk', { soldShipNow: false, orderIds: [] })], 'not-delivered'],
    [[hit('junk', { forged: true })], 'not-delivered'],
    [[hit('junk', { orderIds: ['112-4455667-1000003'] })], 'not-delivered'],
  ])('%j -> %s', (hits, expected) => {
    expect(diagnoseOrder(ID, hits as ProbeHit[], undefined, searched, NOW).diagnosis).toBe(expected);
  });

  test(`mailbox-full from ${MAILBOX_FULL_PERCENT} % of the quota, only when the email is nowhere`, () => {
    const q = (used: number) => ({ usedBytes: used, limitBytes: 1000 });
    expect(diagnoseOrder(ID, [], q(950), searched, NOW)).toMatchObject({ diagnosis: 'mailbox-full', quotaPercent: 95 });
    expect(diagnoseOrder(ID, [], q(949), searched, NOW)).toMatchObject({ diagnosis: 'not-delivered', quotaPercent: 94.9 });
    expect(diagnoseOrder(ID, [hit('junk')], q(999), searched, NOW).diagnosis).toBe('filtered');
    expect(quotaPercent({ usedBytes: 5, limitBytes: 0 })).toBeUndefined();
  });

  test('the texts, English and 中文, name the order and the folder', () => {
    const f = diagnoseOrder(ID, [hit('junk', { folder: '垃圾邮件' })], undefined, searched, NOW);
    expect(probeFindingText(f, 'en')).toBe(`Your Sold, Ship Now email for order ${ID} is in your 垃圾邮件 folder (marked as spam).`);
    expect(probeFindingText(f, 'zh-CN')).toBe(`订单 ${ID} 的「Sold, Ship Now」邮件在您的「垃圾邮件」文件夹中（被判为垃圾邮件）。`);
    const full = diagnoseOrder(ID, [], { usedBytes: 98, limitBytes: 100 }, searched, NOW);
    expect(probeFindingText(full, 'en')).toContain('your mailbox is 98% full');
    expect(probeFindingText(full, 'zh-CN')).toContain('您的邮箱已用 98%');
    for (const d of [[hit('trash')], [hit('inbox')], []] as ProbeHit[][]) {
      const x = diagnoseOrder(ID, d, undefined, searched, NOW);
      expect(probeFindingText(x, 'en')).toContain(ID);
      expect(probeFindingText(x, 'zh-CN')).toContain(ID);
    }
  });
});

describe('the mailbox address and the trusted receivers', () => {
  test.each([
    ['imaps://shop@imap.example.com', { host: 'imap.example.com', port: 993, user: 'shop' }],
    ['imaps://shop%40gmail.com@imap.gmail.com', { host: 'imap.gmail.com', port: 993, user: 'shop@gmail.com' }],
    ['imaps://shop@gmail.com@imap.gmail.com:993', { host: 'imap.gmail.com', port: 993, user: 'shop@gmail.com' }],
    ['imaps://u@127.0.0.1:10993/', { host: '127.0.0.1', port: 10993, user: 'u' }],
  ])('%s', (url, expected) => {
    expect(parseImapUrl(url)).toEqual(expected);
  });

  test('plain IMAP, a password in the URL and nonsense are refused (the password is not repeated)', () => {
    expect(() => parseImapUrl('imap://shop@imap.example.com')).toThrow(/only IMAP over TLS/);
    expect(() => parseImapUrl('imaps://shop:s3cr3t@imap.example.com')).toThrow(/password never goes in the IMAP address/);
    expect(() => parseImapUrl('imaps://shop:s3cr3t@imap.example.com')).not.toThrow(/s3cr3t/);
    expect(() => parseImapUrl('https://example.com')).toThrow(/not an IMAP address/);
  });

  test('defaults only where the provider is known', () => {
    expect(defaultTrustReceivers('imap.gmail.com')).toEqual(['mx.google.com']);
    expect(defaultTrustReceivers('IMAP.QQ.COM')).toEqual(['mx.qq.com']);
    expect(defaultTrustReceivers('imap.163.com')).toEqual([]);
  });
});
