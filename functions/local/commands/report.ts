/**
 * `shipnow report weekly --seller ID [--week-ending YYYY-MM-DD] [--now ISO] [--svg FILE] [--web URL]
 *  [--send] [--ses-endpoint URL] [--json] [store flags]`
 *
 * The seller's weekly report as the Monday job builds it (services/weekly-report.ts): printed in
 * the seller's languages (a preview), the week's chart written as SVG with --svg, and with --send
 * queued into the outbox under its per-week ID (a second --send queues nothing). On a deployed
 * table the alert sender delivers it; on the embedded store it is delivered at once through the
 * seller's channels (email needs --ses-endpoint, e.g. aws-ses-v2-local). Links are signed with the
 * data folder's key file (`<data>/link-key`) when a web URL is given (--web or SHIPNOW_WEB_BASE_URL).
 *
 * Exit: 0 shown / queued / delivered; 1 --send on the embedded store and no channel took it; 2 bad input.
 */
import { writeFile } from 'node:fs/promises';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { makeChannelFactory } from '../../adapters/channels/factory';
import { loadLinkKeys } from '../../adapters/link-key-file';
import { renderWeeklyChartSvg } from '../../adapters/weekly-chart';
import { renderAlert } from '../../domain/alert-message';
import type { AlertChannel, AlertOutbox } from '../../domain/ports';
import { TransientChannelError } from '../../domain/errors';
import { InvalidWeekError, weekDays } from '../../domain/weekly-stats';
import { settingsOrDefaults } from '../../services/alert-sources';
import { sendDueAlerts } from '../../services/send-alerts';
import { queueWeeklyReport, weeklyReportFor } from '../../services/weekly-report';
import type { OrderStatsHistory, SentinelRepository } from '../../domain/ports';
import type { DynamoDbOutbox } from '../../adapters/dynamodb/outbox';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { helpTopic, parseFlags, parseNowFlag, printHelp, wantsHelp } from '../help';
import { dataDir, openStore, STORE_FLAGS } from './store';

export async function reportCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('report', sub === 'help' ? rest : args), io);
    if (sub !== 'weekly') throw new UsageError(`${sub ? `unknown report command '${sub}'` : 'report needs a command'}: weekly (see: shipnow report --help)`);
    return await weekly(rest, io);
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}

async function weekly(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('report weekly', args, {
    seller: { type: 'string' },
    'week-ending': { type: 'string' },
    now: { type: 'string' },
    svg: { type: 'string' },
    web: { type: 'string' },
    send: { type: 'boolean', default: false },
    'ses-endpoint': { type: 'string' },
    json: { type: 'boolean', default: false },
    ...STORE_FLAGS,
  });
  if (!values.seller) throw new UsageError('report weekly needs --seller ID');
  const now = parseNowFlag(values.now) ?? new Date().toISOString();
  const weekEnd = values['week-ending'];
  if (weekEnd !== undefined) {
    try {
      weekDays(weekEnd);
    } catch (err) {
      if (err instanceof InvalidWeekError) throw new UsageError(`--week-ending: ${err.message}`);
      throw err;
    }
  }
  const web = values.web ?? process.env.SHIPNOW_WEB_BASE_URL;
  if (web !== undefined && !/^https?:\/\/[^\s]+$/.test(web)) throw new UsageError(`--web must be an http(s) URL, e.g. http://localhost:8080 (got '${web}')`);

  const store = await openStore(values);
  try {
    const seller = await store.repo.getSeller(values.seller);
    if (!seller) throw new UsageError(`no seller '${values.seller}' in ${store.describe}`);
    const deps = { repo: store.repo as typeof store.repo & OrderStatsHistory, outbox: store.outbox };
    const { alert } = await weeklyReportFor(deps, seller, now, weekEnd);
    const stats = alert.weekly!;
    const { settings } = settingsOrDefaults(seller);
    const keys = web ? await loadLinkKeys(dataDir(values)) : undefined;
    const signing = web && keys ? { webBaseUrl: web, key: keys[0]!, nowMs: Date.parse(now) } : undefined;

    if (values.svg) await writeFile(values.svg, renderWeeklyChartSvg(stats, { lang: settings.languages[0] ?? 'en' }));

    let queued: 'created' | 'exists' | undefined;
    let delivered: 'delivered' | 'already-sent' | 'not-delivered' | undefined;
    if (values.send) {
      queued = await queueWeeklyReport(deps, seller, alert, now);
      if (store.kind === 'embedded') delivered = await deliverNow(store.outbox, store.repo, seller.sellerId, alert.alertId, now, web && keys ? { webBaseUrl: web, keys } : undefined, values['ses-endpoint']);
    }

    if (values.json) {
      io.out(JSON.stringify({ sellerId: seller.sellerId, alertId: alert.alertId, stats, ...(values.svg ? { svg: values.svg } : {}), ...(queued ? { queued } : {}), ...(delivered !== undefined ? { delivered } : {}) }));
    } else {
      io.out(renderAlert(alert, settings, now, signing).text);
      if (values.svg) io.out(`\nchart: ${values.svg}`);
      if (queued) io.out(`\n${alert.alertId}: ${queued === 'created' ? 'queued' : 'already queued (sent once per week)'}${store.kind === 'table' ? '; the deployed alert sender delivers it' : ''}`);
      if (delivered === 'delivered') io.out("delivered through the seller's channels");
      else if (delivered === 'already-sent') io.out('sent before: not sent again');
      else if (delivered) io.out('not delivered: no channel took it now (quiet hours, a channel down; email needs --ses-endpoint locally)');
    }
    return delivered === 'not-delivered' ? EXIT.FAILED : EXIT.OK;
  } finally {
    await store.close();
  }
}

/**
 * Locally there is no scheduled sender: deliver this one outbox item now, through the real sender
 * (claim, channels, delivery record), restricted to it so nothing else in the outbox goes out.
 */
async function deliverNow(
  outbox: DynamoDbOutbox,
  sellers: Pick<SentinelRepository, 'getSeller'>,
  sellerId: string,
  alertId: string,
  now: string,
  links: { webBaseUrl: string; keys: Uint8Array[] } | undefined,
  sesEndpoint: string | undefined,
): Promise<'delivered' | 'already-sent' | 'not-delivered'> {
  if ((await outbox.get(sellerId, alertId))?.status === 'sent') return 'already-sent';
  const only = Object.create(outbox, {
    due: {
      value: async (at: string) => {
        const item = await outbox.get(sellerId, alertId);
        return item && item.status !== 'sent' && item.status !== 'failed' && Date.parse(item.deliverAt) <= Date.parse(at) ? [item] : [];
      },
    },
  }) as AlertOutbox;
  const ses = sesEndpoint ? new SESv2Client({ endpoint: sesEndpoint, region: process.env.AWS_REGION ?? 'us-east-1' }) : undefined;
  const factory = makeChannelFactory({ ...(ses ? { ses: { client: ses, from: process.env.SHIPNOW_ALERT_FROM ?? 'alerts@shipnow.localhost' } } : {}) });
  const channels = (c: Parameters<typeof factory>[0]): AlertChannel =>
    c.type === 'email' && !ses
      ? { id: c.id, type: c.type, send: async () => Promise.reject(new TransientChannelError(c.id, 'email needs --ses-endpoint locally')) }
      : factory(c);
  try {
    const r = await sendDueAlerts(
      { outbox: only, health: outbox, sellers, channels, sleep: async () => {}, ...(links ? { links: { webBaseUrl: links.webBaseUrl, keys: async () => links.keys } } : {}) },
      now,
      { attempts: 1 },
    );
    return r.sent > 0 ? 'delivered' : 'not-delivered';
  } finally {
    ses?.destroy();
  }
}
