/**
 * `shipnow alerts channels --seller ID [--clear all|CHANNEL_ID]... [--json] [store flags]`
 * `shipnow alerts ack --seller ID --order ID [--snooze DURATION] [--json] [store flags]`
 *
 * An alert channel that failed permanently (a deleted Slack webhook, a wrong DingTalk secret) is
 * marked broken and skipped until its cool-off ends. Once the seller has fixed it, an operator
 * clears it here so the next sender run uses it at once.
 *
 * Exit: 0 no broken channel is left; 1 some are still broken; 2 bad input.
 */
import { acknowledgementOf, parseSnooze, InvalidSnoozeError } from '../../domain/acknowledgement';
import { brokenChannels } from '../../services/channel-health';
import { helpTopic, parseFlags, printHelp, wantsHelp } from '../help';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { openStore, STORE_FLAGS } from './store';

export async function alertsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('alerts', sub === 'help' ? rest : args), io);
    if (sub === 'ack') return await ackCommand(rest, io);
    if (sub !== 'channels') throw new UsageError(`${sub ? `unknown alerts command '${sub}'` : 'alerts needs a command'}: channels, ack (see: shipnow alerts --help)`);
    const { values } = parseFlags('alerts channels', rest, {
      seller: { type: 'string' },
      clear: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      ...STORE_FLAGS,
    });
    if (!values.seller) throw new UsageError('alerts channels needs --seller ID');
    const clear = values.clear?.includes('all') ? 'all' : values.clear;
    const store = await openStore(values);
    try {
      if (!(await store.repo.getSeller(values.seller))) throw new UsageError(`no seller '${values.seller}' in ${store.describe}`);
      const outbox = store.outbox;
      const result = await brokenChannels(outbox, values.seller, clear === undefined ? {} : { clear });
      const stillBroken = result.broken.filter((b) => !result.cleared.includes(b.channelId));
      if (values.json) {
        io.out(JSON.stringify({ sellerId: values.seller, broken: result.broken, cleared: result.cleared }));
      } else if (result.broken.length === 0) {
        io.out(`${values.seller}: no broken alert channel`);
      } else {
        for (const b of result.broken) {
          const state = result.cleared.includes(b.channelId) ? 'cleared' : 'broken';
          io.out(`${b.channelId}\t${state}\tsince ${b.since}\tlast failure ${b.lastFailedAt}\t${b.reason}`);
        }
      }
      return stillBroken.length > 0 ? EXIT.FAILED : EXIT.OK;
    } finally {
      await store.close();
    }
  } catch (err) {
    return exitOnBadInput(err, io);
  }
}

/**
 * The seller's answer from the command line, as the alert's links give it: "handled" (no more
 * alerts about the order) or a snooze (none before it ends). Never marks the order notified.
 * Exit: 0 applied; 2 bad input (unknown seller or order, a bad --snooze).
 */
async function ackCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('alerts ack', args, {
    seller: { type: 'string' },
    order: { type: 'string' },
    snooze: { type: 'string' },
    json: { type: 'boolean', default: false },
    ...STORE_FLAGS,
  });
  if (!values.seller || !values.order) throw new UsageError('alerts ack needs --seller ID and --order ID');
  let minutes: number | undefined;
  try {
    minutes = values.snooze === undefined ? undefined : parseSnooze(values.snooze);
  } catch (err) {
    if (err instanceof InvalidSnoozeError) throw new UsageError(`--snooze: ${err.message}`);
    throw err;
  }
  const ack = acknowledgementOf(new Date().toISOString(), 'cli', minutes);
  const store = await openStore(values);
  try {
    if (!(await store.repo.getSeller(values.seller))) throw new UsageError(`no seller '${values.seller}' in ${store.describe}`);
    const result = await store.acks.acknowledge(values.seller, values.order, ack);
    if (result === 'unknown-order') throw new UsageError(`no order '${values.order}' of seller '${values.seller}' in ${store.describe}`);
    if (values.json) io.out(JSON.stringify({ sellerId: values.seller, orderId: values.order, acknowledgement: ack }));
    else if (ack.kind === 'handled') io.out(`${values.seller} ${values.order}: handled; no more alerts or reminders about this order`);
    else io.out(`${values.seller} ${values.order}: snoozed until ${ack.until}; no alerts or reminders about this order before then`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
