/**
 * `npm run cost`: the monthly cost of a deployment, for both profiles and 1, 100, 1,000 and
 * 10,000 sellers at 10 orders a day each, from
 * - request counts and run times measured on the real adapters over a simulated seller-day
 *   (bench/cost/seller-day.ts, embedded dynalite),
 * - what the synthesised template of each profile says (alarms, metrics, keys, schedules,
 *   memory, event sources: bench/cost/template-inputs.ts),
 * - the list prices kept as data with their date and sources (bench/cost/prices.json).
 * `--json` prints the numbers instead of the table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../infra/config';
import { ASSUMPTIONS, fixedMonth, perSellerMonth, type PriceList } from './cost/model';
import { simulateSellerDay } from './cost/seller-day';
import { templateInputs } from './cost/template-inputs';

const SELLERS = [1, 100, 1_000, 10_000];
const PROFILES: Profile[] = ['default', 'lean'];
const usd = (n: number) => (n >= 100 ? `$${Math.round(n).toLocaleString('en-US')}` : `$${n.toFixed(n < 1 ? 3 : 2)}`);

async function main(): Promise<void> {
  const prices = JSON.parse(readFileSync(join(__dirname, 'cost', 'prices.json'), 'utf8')) as PriceList;
  const day = await simulateSellerDay();
  const results = PROFILES.map((profile) => {
    const t = templateInputs(profile);
    const fixed = fixedMonth(day, t, prices);
    const per = SELLERS.map((n) => ({ sellers: n, seller: perSellerMonth(day, t, prices, n) }));
    return { profile, t, fixed, per };
  });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ prices: { taken: prices.taken, region: prices.region }, measured: day, results: results.map((r) => ({ profile: r.profile, template: r.t, fixed: r.fixed.total, fixedWithFreeTier: r.fixed.withFreeTier(r.per[0].seller, 1), perSeller: r.per.map((x) => ({ sellers: x.sellers, dollars: x.seller.total })) })) }, null, 2));
    return;
  }
  const out: string[] = [];
  out.push(`ShipNow Sentinel, monthly cost (list prices ${prices.region}, taken ${prices.taken}; bench/cost/prices.json names the pages)`);
  out.push(`Measured seller-day: ${day.orders} orders, ${day.emails} emails; per sync run ${day.syncRun.dynamodb.requests.toFixed(1)} DynamoDB requests (${day.syncRun.dynamodb.wru.toFixed(1)} WRU, ${day.syncRun.dynamodb.rru.toFixed(1)} RRU), ${day.syncRun.ssm} GetParameter, ${day.syncRun.medianMs.toFixed(1)} ms; per email ${day.email.dynamodb.requests.toFixed(1)} requests (${day.email.dynamodb.wru.toFixed(1)} WRU, ${day.email.dynamodb.rru.toFixed(1)} RRU), ${day.email.medianMs.toFixed(1)} ms; empty reconciler run ${day.emptyReconcile.dynamodb.requests} queries, ${day.emptyReconcile.medianMs.toFixed(1)} ms; empty sender run ${day.emptySend.dynamodb.requests} queries, ${day.emptySend.medianMs.toFixed(1)} ms; one missing order alerted ${day.missingAlert.dynamodb.requests} requests, ${day.missingAlert.medianMs.toFixed(1)} ms (local medians).`);
  out.push('');
  for (const r of results) {
    out.push(`## ${r.profile} profile — fixed per deployment`);
    for (const l of r.fixed.lines) out.push(`  ${l.item.padEnd(28)} ${l.usage.padEnd(92)} ${usd(l.dollars).padStart(8)}`);
    out.push(`  ${'Fixed total (list price)'.padEnd(121)} ${usd(r.fixed.total).padStart(8)}`);
    out.push(`  ${'Fixed + 1 seller, own account with the always-free tier'.padEnd(121)} ${usd(r.fixed.withFreeTier(r.per[0].seller, 1)).padStart(8)}`);
    out.push(`  of which the reconciler every minute instead of every 5 (time to alert): ${usd(r.fixed.reconcilerEveryMinute)}`);
    out.push(`## ${r.profile} profile — per seller-month (10 orders a day), at 1 seller`);
    for (const l of r.per[0].seller.lines) out.push(`  ${l.item.padEnd(28)} ${l.usage.padEnd(92)} ${usd(l.dollars).padStart(8)}`);
    out.push('');
  }
  out.push('| Sellers | ' + PROFILES.map((p) => `${p}: per seller | ${p}: total / month`).join(' | ') + ' |');
  out.push('|---:|' + PROFILES.map(() => '---:|---:').join('|') + '|');
  for (const [i, n] of SELLERS.entries()) {
    out.push(`| ${n.toLocaleString('en-US')} | ` + results.map((r) => `${usd(r.per[i].seller.total)} | ${usd(r.fixed.total + n * r.per[i].seller.total)}`).join(' | ') + ' |');
  }
  out.push('');
  out.push(`Assumed, not measured: ${Object.entries(ASSUMPTIONS).map(([k, v]) => `${k}=${v}`).join(', ')}.`);
  console.log(out.join('\n'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
