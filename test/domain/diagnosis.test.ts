import { buildHistory, diagnose, historyFromStats, type MarketplaceHistory } from '../../functions/domain/diagnosis';

const h = (marketplace: string, expected: number, arrived: number, emails: MarketplaceHistory['emails'] = []): MarketplaceHistory => ({
  marketplace,
  expected,
  arrived,
  since: '2026-11-24T08:00:00.000Z',
  emails,
});
const ok = (over: Partial<MarketplaceHistory['emails'][number]> = {}) => ({ receivedAt: '2026-11-25T08:00:00.000Z', spf: 'pass' as const, forwarded: false, ...over });

describe('diagnose (Amazon\'s list)', () => {
  test('all mail stopped -> connection blocked or bounced', () => {
    expect(diagnose([h('amazon.com', 5, 0), h('amazon.de', 3, 0)]).cause).toBe('mail-blocked');
    expect(diagnose([h('amazon.com', 5, 0)]).cause).toBe('mail-blocked');
  });

  test('some arrive and some do not -> filtered', () => {
    expect(diagnose([h('amazon.com', 5, 3, [ok()])]).cause).toBe('mail-filtered');
  });

  test('arriving with a spam verdict, or forwarded with SPF failing -> the forwarding path', () => {
    expect(diagnose([h('amazon.com', 5, 3, [ok({ spam: 'fail' })])])).toMatchObject({ cause: 'forwarding-path', forwardingSigns: { spamVerdicts: 1, forwardedSpfFailures: 0 } });
    expect(diagnose([h('amazon.com', 5, 3, [ok({ forwarded: true, spf: 'softfail' })])]).cause).toBe('forwarding-path');
    // SPF failing on direct (not forwarded) mail is not evidence of forwarding.
    expect(diagnose([h('amazon.com', 5, 3, [ok({ spf: 'softfail' })])]).cause).toBe('mail-filtered');
  });

  test('only one marketplace affected -> its Notification Preferences, with the evidence', () => {
    const d = diagnose([h('amazon.com', 4, 4, [ok()]), h('amazon.de', 7, 0)]);
    expect(d).toEqual({
      cause: 'notification-preferences',
      marketplace: 'amazon.de',
      evidence: [{ marketplace: 'amazon.de', expected: 7, arrived: 0, since: '2026-11-24T08:00:00.000Z' }],
    });
  });

  test('nothing missing -> unknown, no evidence', () => {
    expect(diagnose([h('amazon.com', 4, 4)])).toEqual({ cause: 'unknown', evidence: [] });
  });
});

test('historyFromStats: day counters of the window per marketplace, expected = notified + missing', () => {
  const now = '2026-11-28T12:00:00.000Z';
  const history = historyFromStats(
    [
      { marketplace: 'amazon.de', day: '2026-11-24', notified: 0, missing: 3, firstAt: '2026-11-24T09:00:00.000Z' },
      { marketplace: 'amazon.de', day: '2026-11-25', notified: 1, missing: 3, firstAt: '2026-11-25T08:00:00.000Z' },
      { marketplace: 'amazon.de', day: '2026-11-20', notified: 0, missing: 5, firstAt: '2026-11-20T09:00:00.000Z' }, // outside the window
      { marketplace: 'amazon.com', day: '2026-11-26', notified: 0, missing: 0, firstAt: '2026-11-26T09:00:00.000Z' }, // nothing counted
    ],
    [
      { marketplace: 'amazon.de', receivedAt: '2026-11-25T08:10:00.000Z', spf: 'pass', forwarded: false },
      { marketplace: 'amazon.de', receivedAt: '2026-11-01T08:10:00.000Z', spf: 'pass', forwarded: false }, // too old
    ],
    now,
  );
  expect(history).toEqual([
    { marketplace: 'amazon.de', expected: 7, arrived: 1, since: '2026-11-24T09:00:00.000Z', emails: [{ receivedAt: '2026-11-25T08:10:00.000Z', spf: 'pass', forwarded: false }] },
  ]);
  expect(diagnose(history)).toMatchObject({ cause: 'mail-filtered', evidence: [{ marketplace: 'amazon.de', expected: 7, arrived: 1 }] });
});
test('buildHistory counts orders whose email was due in the window, per marketplace', () => {
  const now = '2026-11-28T12:00:00.000Z';
  const history = buildHistory(
    [
      { marketplace: 'amazon.de', expectedBy: '2026-11-24T09:00:00.000Z' },
      { marketplace: 'amazon.de', expectedBy: '2026-11-25T09:00:00.000Z', notifiedAt: '2026-11-25T08:10:00.000Z' },
      { marketplace: 'amazon.de', expectedBy: '2026-11-28T13:00:00.000Z' }, // not due yet
      { marketplace: 'amazon.de', expectedBy: '2026-11-01T09:00:00.000Z' }, // outside the window
      { marketplace: 'amazon.com', expectedBy: null }, // no email expected
    ],
    [{ marketplace: 'amazon.de', receivedAt: '2026-11-25T08:10:00.000Z', spf: 'pass', forwarded: false }],
    now,
  );
  expect(history).toEqual([
    { marketplace: 'amazon.de', expected: 2, arrived: 1, since: '2026-11-24T09:00:00.000Z', emails: [{ receivedAt: '2026-11-25T08:10:00.000Z', spf: 'pass', forwarded: false }] },
  ]);
});
