/**
 * `shipnow alerts channels --seller ID [--clear all|CHANNEL_ID]... [--json] [store flags]`
 *
 * An alert channel that failed permanently (a deleted Slack webhook, a wrong DingTalk secret) is
 * marked broken and skipped until its cool-off ends. Once the seller has fixed it, an operator
 * clears it here so the next sender run uses it at once.
 *
 * Exit: 0 no broken channel is left; 1 some are still broken; 2 bad input.
 */
import { brokenChannels } from '../../services/channel-health';
import { helpTopic, parseFlags, printHelp, wantsHelp } from '../help';
import { EXIT, exitOnBadInput, type Io, UsageError } from '../cli-io';
import { openStore, STORE_FLAGS } from './store';

export async function alertsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'help' || wantsHelp(args)) return printHelp(helpTopic('alerts', sub === 'help' ? rest : args), io);
    if (sub !== 'channels') throw new UsageError(`${sub ? `unknown alerts command '${sub}'` : 'alerts needs a command'}: channels (see: shipnow alerts --help)`);
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
