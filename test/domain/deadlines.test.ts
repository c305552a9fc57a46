import {
  FALLBACK_AUTO_CANCEL_RULE,
  addBusinessDays,
  addCalendarDays,
  autoCancelAt,
  autoCancelDeadlines,
  autoCancelRule,
  shipBy,
  toUtcIso,
  zoneOffsetMs,
} from '../../functions/domain/deadlines';

describe('toUtcIso', () => {
  it.each([
    ['2026-11-27T15:04:00+00:00', '2026-11-27T15:04:00.000Z'],
    ['2026-11-27T15:04:00Z', '2026-11-27T15:04:00.000Z'],
    ['2026-11-28T04:00:00+01:00', '2026-11-28T03:00:00.000Z'],
    ['2026-11-27T07:04:00-08:00', '2026-11-27T15:04:00.000Z'],
    ['2026-11-28T00:04:00+0900', '2026-11-27T15:04:00.000Z'],
    ['2026-11-27 15:04:00 +00:00', '2026-11-27T15:04:00.000Z'],
    ['2019-05-07T15:42:57.058Z', '2019-05-07T15:42:57.058Z'],
    ['2026-11-27T15:04Z', '2026-11-27T15:04:00.000Z'],
  ])('%s -> %s', (input, expected) => {
    expect(toUtcIso(input)).toBe(expected);
  });

  it.each(['2026-11-27T15:04:00', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '27/11/2026 15:04', '', 'yesterday', '2026-11-27T25:00:00Z'])(
    'rejects %j',
    (input) => {
      expect(toUtcIso(input)).toBeUndefined();
    },
  );
});

describe('addBusinessDays', () => {
  it('skips the weekend: Friday + 7 business days is the Tuesday of the week after next', () => {
    // Fri 2026-11-27 10:00 in Los Angeles (PST, UTC-8).
    expect(addBusinessDays('2026-11-27T18:00:00.000Z', 7, 'America/Los_Angeles')).toBe('2026-12-08T18:00:00.000Z');
  });

  it('Friday + 1 is Monday, Saturday + 1 is Monday, same wall-clock time', () => {
    expect(addBusinessDays('2026-11-27T18:00:00.000Z', 1, 'America/Los_Angeles')).toBe('2026-11-30T18:00:00.000Z');
    expect(addBusinessDays('2026-11-28T18:00:00.000Z', 1, 'America/Los_Angeles')).toBe('2026-11-30T18:00:00.000Z');
  });

  it('keeps the local end of day across the autumn DST change (Los Angeles, 2026-11-01)', () => {
    // Fri 2026-10-30 23:59:59 PDT (UTC-7) -> Tue 2026-11-10 23:59:59 PST (UTC-8).
    expect(addBusinessDays('2026-10-31T06:59:59.000Z', 7, 'America/Los_Angeles')).toBe('2026-11-11T07:59:59.000Z');
  });

  it('keeps the local end of day across the autumn DST change (Berlin, 2026-10-25)', () => {
    // Fri 2026-10-23 23:59:59 CEST (UTC+2) -> Tue 2026-11-03 23:59:59 CET (UTC+1).
    expect(addBusinessDays('2026-10-23T21:59:59.000Z', 7, 'Europe/Berlin')).toBe('2026-11-03T22:59:59.000Z');
  });

  it('keeps the wall-clock time across the spring DST change (Berlin, 2026-03-29)', () => {
    // Fri 2026-03-27 11:00 CET -> Mon 2026-03-30 11:00 CEST: only 71 hours later.
    expect(addBusinessDays('2026-03-27T10:00:00.000Z', 1, 'Europe/Berlin')).toBe('2026-03-30T09:00:00.000Z');
  });

  it('takes the weekday in the marketplace zone, not in UTC', () => {
    // 2026-11-28T04:00Z is Saturday in UTC but still Friday 20:00 in Los Angeles:
    // one business day later is Monday 20:00 PST, not Monday 04:00 UTC.
    expect(addBusinessDays('2026-11-28T04:00:00.000Z', 1, 'America/Los_Angeles')).toBe('2026-12-01T04:00:00.000Z');
  });

  it('0 days returns the same instant, canonicalised', () => {
    expect(addBusinessDays('2026-11-28T04:00:00Z', 0, 'Europe/Berlin')).toBe('2026-11-28T04:00:00.000Z');
  });

  it('rejects negative or fractional days and unknown zones', () => {
    expect(() => addBusinessDays('2026-11-28T04:00:00Z', -1, 'UTC')).toThrow(RangeError);
    expect(() => addBusinessDays('2026-11-28T04:00:00Z', 1.5, 'UTC')).toThrow(RangeError);
    expect(() => addBusinessDays('2026-11-28T04:00:00Z', 1, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => addBusinessDays('not a time', 1, 'UTC')).toThrow(RangeError);
  });
});

describe('addCalendarDays', () => {
  it('keeps the wall-clock time across a DST change (30 days = 30 x 24 h + 1 h here)', () => {
    // Tue 2026-10-20 10:00 PDT -> Thu 2026-11-19 10:00 PST.
    expect(addCalendarDays('2026-10-20T17:00:00.000Z', 30, 'America/Los_Angeles')).toBe('2026-11-19T18:00:00.000Z');
  });

  it('is exactly N x 24 h in UTC', () => {
    expect(addCalendarDays('2026-10-20T17:00:00.000Z', 30)).toBe('2026-11-19T17:00:00.000Z');
  });

  it('a local time skipped by spring-forward moves on by the gap; a repeated one takes the earlier instant', () => {
    // 2026-03-28 02:30 CET + 1 day = 2026-03-29 02:30, which does not exist in Berlin -> 03:30 CEST.
    expect(addCalendarDays('2026-03-28T01:30:00.000Z', 1, 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    // 2026-10-24 02:30 CEST + 1 day = 2026-10-25 02:30, which happens twice -> the first (CEST).
    expect(addCalendarDays('2026-10-24T00:30:00.000Z', 1, 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('shipBy', () => {
  it('is the latest ship date when known, else null', () => {
    expect(shipBy({ latestShipDate: '2026-11-30T23:59:59.000Z' })).toBe('2026-11-30T23:59:59.000Z');
    expect(shipBy({})).toBeNull();
  });
});

describe('autoCancelAt / autoCancelRule', () => {
  it('7 business days after the latest ship date wins when earlier than 30 days (amazon.de)', () => {
    const order = { marketplace: 'amazon.de', purchaseDate: '2026-11-02T09:00:00.000Z', latestShipDate: '2026-11-04T22:59:59.000Z' };
    // Wed 2026-11-04 23:59:59 Berlin + 7 business days = Fri 2026-11-13 23:59:59.
    expect(autoCancelAt(order)).toBe('2026-11-13T22:59:59.000Z');
    const won = autoCancelRule(order);
    expect(won.rule.kind).toBe('business-days-after-latest-ship');
    expect(won.rule.source).toMatch(/7 business days/);
    expect(won.timeZone).toBe('Europe/Berlin');
  });

  it('30 days after the order wins when the latest ship date is far out (amazon.com)', () => {
    const order = { marketplace: 'amazon.com', purchaseDate: '2026-10-20T17:00:00.000Z', latestShipDate: '2026-11-13T07:59:59.000Z' };
    // 30 calendar days in Los Angeles across the DST change: 2026-11-19 10:00 PST.
    // 7 business days after Thu 2026-11-12 23:59:59 PST: Mon 2026-11-23.
    expect(autoCancelAt(order)).toBe('2026-11-19T18:00:00.000Z');
    expect(autoCancelRule(order).rule.kind).toBe('days-after-order');
    expect(autoCancelDeadlines(order).map((d) => [d.rule.kind, d.at])).toEqual([
      ['days-after-order', '2026-11-19T18:00:00.000Z'],
      ['business-days-after-latest-ship', '2026-11-24T07:59:59.000Z'],
    ]);
  });

  it('the business-day rule applies only when the latest ship date is known', () => {
    const order = { marketplace: 'amazon.de', purchaseDate: '2026-11-02T09:00:00.000Z' };
    expect(autoCancelDeadlines(order)).toHaveLength(1);
    expect(autoCancelRule(order).rule.kind).toBe('days-after-order');
    expect(autoCancelAt(order)).toBe('2026-12-02T09:00:00.000Z');
  });

  it('a marketplace with only the 30-day rule ignores the latest ship date (amazon.co.jp)', () => {
    const order = { marketplace: 'amazon.co.jp', purchaseDate: '2026-11-28T02:00:00.000Z', latestShipDate: '2026-11-29T14:59:59.000Z' };
    expect(autoCancelAt(order)).toBe('2026-12-28T02:00:00.000Z');
  });

  it.each([null, 'amazon.example'])('an unknown marketplace (%p) gets the 30-day rule, counted in UTC', (marketplace) => {
    const order = { marketplace, purchaseDate: '2026-10-20T17:00:00.000Z', latestShipDate: '2026-10-21T07:59:59.000Z' };
    expect(autoCancelRule(order)).toEqual({ at: '2026-11-19T17:00:00.000Z', rule: FALLBACK_AUTO_CANCEL_RULE, timeZone: 'UTC' });
  });
});

describe('zoneOffsetMs (cached per zone and hour)', () => {
  // The reference: Intl asked about every instant, as before the cache.
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const reference = (ms: number, timeZone: string): number => {
    const parts: Record<string, string> = {};
    let f = formatters.get(timeZone);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      formatters.set(timeZone, f);
    }
    for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
    const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second), ((ms % 1000) + 1000) % 1000);
    return asUtc - ms;
  };
  const zones = ['Europe/Berlin', 'America/Los_Angeles', 'America/Sao_Paulo', 'Australia/Sydney', 'Asia/Tokyo', 'Australia/Lord_Howe', 'UTC'];

  test.each(zones)('equals Intl all through 2026 in %s, at and around every offset change', (zone) => {
    const start = Date.UTC(2026, 0, 1);
    const end = Date.UTC(2027, 0, 1);
    const changes: number[] = [];
    let prev = reference(start, zone);
    // Every 37 minutes and 13 seconds: never aligned with the hour, so every part of an hour is hit.
    for (let ms = start; ms < end; ms += 37 * 60_000 + 13_000) {
      const off = reference(ms, zone);
      expect(zoneOffsetMs(ms, zone)).toBe(off);
      if (off !== prev) changes.push(ms);
      prev = off;
    }
    for (const near of changes) {
      // Find the change to the millisecond, then check either side of it.
      let lo = near - (37 * 60_000 + 13_000);
      let hi = near;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (reference(mid, zone) === reference(hi, zone)) hi = mid;
        else lo = mid;
      }
      for (const ms of [lo - 1000, lo - 1, lo, hi, hi + 1, hi + 1000]) expect(zoneOffsetMs(ms, zone)).toBe(reference(ms, zone));
    }
    // Zones with summer time change twice a year (Lord Howe by half an hour); the others never.
    expect(changes.length).toBe(['Europe/Berlin', 'America/Los_Angeles', 'Australia/Sydney', 'Australia/Lord_Howe'].includes(zone) ? 2 : 0);
  });
});
