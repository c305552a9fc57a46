/**
 * `shipnow seller channels set|list|remove|test`: a seller's alert channels, kept on the profile
 * as `alerting.channels` (functions/domain/alerts.ts ChannelConfigSchema, the one definition; the
 * whole `alerting` object is checked with AlertSettingsInputSchema before it is written), in
 * order of preference. With the store flags of ./store.ts.
 *
 * - `set` adds a channel or changes the one with the same ID (fields not given are kept when the
 *   type stays), checks the URL shape of each bot (domain/channel-setup.ts) unless
 *   `--allow-any-url`, and writes `alerting` conditionally on the profile's version (re-read and
 *   re-applied on a concurrent change).
 * - `list` shows the channels as the sender uses them (the profile's alert emails become the
 *   `alert-emails` channel when no email channel is configured), with tokens and signing secrets
 *   masked, and whether each is marked broken.
 * - `test` sends a test message through the real channel adapter (functions/adapters/channels) and
 *   says per channel whether it arrived; a channel that works is no longer marked broken.
 *
 * Exit: 0 done (every tested channel took the message); 1 a tested channel failed; 2 bad input.
 * Every flag, exit status and an example: the help records in ../help.ts.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { makeChannelFactory } from '../../adapters/channels/factory';
import type { DynamoDbOutbox } from '../../adapters/dynamodb/outbox';
import { DynamoDbSellerAdmin } from '../../adapters/dynamodb/seller-admin';
import type { StoredSellerProfile } from '../../domain/ports';
import { ENV } from '../../constants';
import { PermanentChannelError, TransientChannelError } from '../../domain/errors';
import { alertingProblem, storedAlerting } from '../../domain/alerting-input';
import { ChannelConfigSchema, InvalidAlertSettingsError, alertSettings, type ChannelConfig, type ChannelType } from '../../domain/alert-settings';
import {
  CHANNEL_ID_PATTERN,
  CHANNEL_TYPES,
  DERIVED_EMAIL_CHANNEL_ID,
  botUrlExample,
  channelSetupProblems,
  channelTarget,
  channelTestMessage,
  maskedChannel,
} from '../../domain/channel-setup';
import { sellerIdProblem } from '../../domain/seller-input';
import { changeSellerProfile } from '../../services/manage-sellers';
import { helpTopic, printHelp } from '../help';
import { parse, type SellerCommandOptions } from './seller-common';
import { EXIT, type Io, UsageError } from '../cli-io';
import { openStore, type OpenStore, STORE_FLAGS } from './store';

export async function sellerChannelsCommand(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'help': // `seller channels help set`, as `seller help add` and `mail help replay`
      return printHelp(helpTopic('seller channels', rest), io);
    case 'set':
      return channelsSet(rest, io, opts);
    case 'list':
      return channelsList(rest, io, opts);
    case 'remove':
      return channelsRemove(rest, io, opts);
    case 'test':
      return channelsTest(rest, io, opts);
    default:
      throw new UsageError(sub ? `unknown seller channels command '${sub}' (set, list, remove, test)` : 'seller channels needs a command: set, list, remove, test');
  }
}

// ---- set -------------------------------------------------------------------------------------------

const FLAG_OF: Record<string, string> = { id: '--channel', type: '--type', url: '--url', secret: '--secret', to: '--to', topicArn: '--topic-arn' };

async function channelsSet(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse('seller channels set', args, {
    seller: { type: 'string' },
    channel: { type: 'string' },
    type: { type: 'string' },
    url: { type: 'string' },
    secret: { type: 'string' },
    to: { type: 'string', multiple: true },
    'topic-arn': { type: 'string' },
    position: { type: 'string' },
    'allow-any-url': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    ...STORE_FLAGS,
  });
  const sellerId = requireSeller(values.seller, 'set');
  const type = values.type as ChannelType | undefined;
  if (!type || !CHANNEL_TYPES.includes(type)) {
    throw new UsageError(`seller channels set needs --type ${CHANNEL_TYPES.join('|')}${values.type ? ` (got '${values.type}')` : ''}`);
  }
  const channelId = values.channel ?? type;
  if (!CHANNEL_ID_PATTERN.test(channelId)) throw new UsageError(`--channel '${channelId}': letters, digits, '.', '_' and '-' only (max 64)`);
  if (channelId === DERIVED_EMAIL_CHANNEL_ID) {
    throw new UsageError(`--channel ${DERIVED_EMAIL_CHANNEL_ID} is the channel made from the seller's alert emails: change them with shipnow seller update --id ${sellerId} --alert-email A`);
  }
  let position: number | undefined;
  if (values.position !== undefined) {
    if (!/^[1-9]\d{0,2}$/.test(values.position)) throw new UsageError(`--position must be a whole number from 1 (first choice) (got '${values.position}')`);
    position = Number(values.position);
  }
  const given: Record<string, unknown> = {
    ...(values.url !== undefined ? { url: values.url } : {}),
    ...(values.secret !== undefined ? { secret: values.secret } : {}),
    ...(values.to !== undefined ? { to: values.to.flatMap((t) => t.split(/[,;\s]+/)).filter(Boolean) } : {}),
    ...(values['topic-arn'] !== undefined ? { topicArn: values['topic-arn'] } : {}),
  };

  const store = await openStore(values, opts.env ?? process.env);
  try {
    const admin = new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName });
    let result: ChannelConfig | undefined;
    let replaced = false;
    const { before } = await changeSellerProfile(admin, sellerId, (current) => {
      const alerting = alertingOf(current.seller);
      const channels = [...(alerting.channels ?? [])];
      const index = channels.findIndex((c) => c.id === channelId);
      const previous = index >= 0 && channels[index].type === type ? channels[index] : undefined;
      const candidate: Record<string, unknown> = { ...(previous ?? {}), ...given, id: channelId, type };
      if (candidate.secret === '') delete candidate.secret; // --secret '' removes the signature
      const config = checkChannel(candidate, values['allow-any-url']);
      replaced = index >= 0;
      if (index >= 0) channels.splice(index, 1);
      channels.splice(position === undefined ? (index >= 0 ? index : channels.length) : Math.min(position - 1, channels.length), 0, config);
      result = config;
      return { set: { alerting: checkAlerting(sellerId, { ...alerting, channels }) }, remove: [] };
    });
    if (!before) throw new UsageError(`no seller '${sellerId}' in ${store.describe}`);
    if (!result) throw new Error('channel set decided nothing');
    const shown = maskedChannel(result);
    if (values.json) io.out(JSON.stringify({ sellerId, channel: shown, replaced }, null, 2));
    else {
      io.out(`${sellerId}: alert channel '${result.id}' (${result.type}) ${replaced ? 'changed' : 'added'}: ${channelTarget(result)}`);
      const emails = before.seller.alertEmails ?? [];
      if (result.type === 'email' && emails.length > 0) {
        io.out(`Note: with an email channel configured, the seller's alert emails (${emails.join(', ')}) are no longer a channel of their own.`);
      }
      io.out(`Send a test message with: shipnow seller channels test --seller ${sellerId} --channel ${result.id}`);
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

/** The stored schema, then the setup checks; every problem in one line, named by its flag. */
function checkChannel(candidate: Record<string, unknown>, anyUrl: boolean): ChannelConfig {
  const parsed = ChannelConfigSchema.safeParse(candidate);
  if (!parsed.success) {
    const type = String(candidate.type);
    const problems = parsed.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${FLAG_OF[k] ?? k} does not apply to a ${type} channel`).join('; ');
      const field = String(i.path[0] ?? '');
      if (i.code === 'invalid_type' && i.input === undefined) {
        const example = field === 'url' ? botUrlExample(type as ChannelType) : undefined;
        return `a ${type} channel needs ${FLAG_OF[field] ?? field}${example ? ` (${example})` : ''}`;
      }
      return `${FLAG_OF[field] ?? field}${i.path.length > 1 ? ` '${String((candidate[field] as unknown[])[Number(i.path[1])])}'` : ''}: ${i.message}`;
    });
    throw new UsageError(problems.join('; '));
  }
  const problems = channelSetupProblems(parsed.data, { anyUrl });
  if (problems.length > 0) {
    const urlShape = !anyUrl && problems.some((p) => p.field === 'url');
    throw new UsageError(`${problems.map((p) => `${FLAG_OF[p.field]} ${p.message}`).join('; ')}${urlShape ? ' (--allow-any-url accepts another URL, e.g. a proxy)' : ''}`);
  }
  return parsed.data;
}

interface AlertingObject {
  channels?: ChannelConfig[];
  [key: string]: unknown;
}

function alertingOf(seller: StoredSellerProfile): AlertingObject {
  return storedAlerting(seller) as AlertingObject;
}

/** The whole `alerting` object as the sender will read it: refused here rather than in its log. */
function checkAlerting(sellerId: string, alerting: AlertingObject): AlertingObject {
  const problem = alertingProblem(alerting);
  if (problem) throw new UsageError(`seller ${sellerId}: the stored alerting settings are invalid (${problem}); they were not changed`);
  return alerting;
}

// ---- remove ----------------------------------------------------------------------------------------

async function channelsRemove(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse('seller channels remove', args, { seller: { type: 'string' }, channel: { type: 'string' }, ...STORE_FLAGS });
  const sellerId = requireSeller(values.seller, 'remove');
  const channelId = values.channel;
  if (!channelId) throw new UsageError('seller channels remove needs --channel CHANNEL_ID (see: shipnow seller channels list)');
  if (channelId === DERIVED_EMAIL_CHANNEL_ID) {
    throw new UsageError(`${DERIVED_EMAIL_CHANNEL_ID} is made from the seller's alert emails: remove them with shipnow seller update --id ${sellerId} --clear alert-email`);
  }
  const store = await openStore(values, opts.env ?? process.env);
  try {
    const admin = new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName });
    let found = false;
    const { before } = await changeSellerProfile(admin, sellerId, (current) => {
      const alerting = alertingOf(current.seller);
      const channels = alerting.channels ?? [];
      found = channels.some((c) => c.id === channelId);
      if (!found) return null;
      return { set: { alerting: checkAlerting(sellerId, { ...alerting, channels: channels.filter((c) => c.id !== channelId) }) }, remove: [] };
    });
    if (!before) throw new UsageError(`no seller '${sellerId}' in ${store.describe}`);
    if (!found) throw new UsageError(`seller ${sellerId} has no alert channel '${channelId}' (see: shipnow seller channels list --seller ${sellerId})`);
    io.out(`${sellerId}: alert channel '${channelId}' removed`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

// ---- list ------------------------------------------------------------------------------------------

async function channelsList(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse('seller channels list', args, { seller: { type: 'string' }, json: { type: 'boolean', default: false }, ...STORE_FLAGS });
  const sellerId = requireSeller(values.seller, 'list');
  const store = await openStore(values, opts.env ?? process.env);
  try {
    const { channels, configuredIds } = await effectiveChannels(store, sellerId);
    const broken = new Map((await outboxOf(store).brokenChannels(sellerId)).map((b) => [b.channelId, b]));
    const rows = channels.map((c, i) => {
      const b = broken.get(c.id);
      return {
        position: i + 1,
        ...maskedChannel(c),
        source: configuredIds.has(c.id) ? 'alerting' : 'alert-email',
        broken: b ? { since: b.since, lastFailedAt: b.lastFailedAt, reason: b.reason } : null,
      };
    });
    if (values.json) {
      io.out(JSON.stringify({ sellerId, channels: rows }, null, 2));
      return EXIT.OK;
    }
    if (rows.length === 0) {
      io.out(`${sellerId}: no alert channel; add one with: shipnow seller channels set --seller ${sellerId} --type dingtalk --url URL --secret SEC...`);
      return EXIT.OK;
    }
    for (const [i, c] of channels.entries()) {
      const b = broken.get(c.id);
      const state = b ? `broken since ${b.since}: ${b.reason}` : 'ok';
      io.out(`${i + 1}\t${c.id}\t${c.type}\t${channelTarget(c)}\t${state}${configuredIds.has(c.id) ? '' : '\t(from the alert emails)'}`);
    }
    if (store.kind === 'table') io.out("(after these, the stack's SNS alert topic is the last resort)");
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

/** The channels the sender uses for the seller, in order, and which of them are configured ones. */
async function effectiveChannels(store: OpenStore, sellerId: string): Promise<{ channels: ChannelConfig[]; configuredIds: Set<string>; languages: ReturnType<typeof alertSettings>['languages'] }> {
  // Strongly consistent: a `test` right after a `set` tests what was just set.
  const seller = (await new DynamoDbSellerAdmin({ client: store.client, tableName: store.tableName }).getProfile(sellerId))?.seller;
  if (!seller) throw new UsageError(`no seller '${sellerId}' in ${store.describe}`);
  try {
    const settings = alertSettings(seller);
    const configured = alertingOf(seller).channels ?? [];
    return { channels: settings.channels, configuredIds: new Set(configured.map((c) => c.id)), languages: settings.languages };
  } catch (err) {
    if (err instanceof InvalidAlertSettingsError) throw new UsageError(err.message);
    throw err;
  }
}

function outboxOf(store: OpenStore): DynamoDbOutbox {
  return store.outbox;
}

// ---- test ------------------------------------------------------------------------------------------

async function channelsTest(args: string[], io: Io, opts: SellerCommandOptions): Promise<number> {
  const { values } = parse('seller channels test', args, {
    seller: { type: 'string' },
    channel: { type: 'string' },
    from: { type: 'string' },
    'ses-endpoint': { type: 'string' },
    'topic-arn': { type: 'string' },
    json: { type: 'boolean', default: false },
    ...STORE_FLAGS,
  });
  const sellerId = requireSeller(values.seller, 'test');
  const env = opts.env ?? process.env;
  const now = (opts.now ?? (() => new Date()))();
  const store = await openStore(values, env);
  const sesEndpoint = values['ses-endpoint'] ?? env.SHIPNOW_LOCAL_SES;
  const from = values.from ?? env[ENV.ALERT_FROM_ADDRESS];
  const topicArn = values['topic-arn'] ?? env[ENV.ALERT_TOPIC_ARN];
  const region = values.region ?? (sesEndpoint ? 'us-east-1' : undefined);
  const ses = new SESv2Client({
    ...(region ? { region } : {}),
    ...(sesEndpoint ? { endpoint: sesEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const sns = new SNSClient({ ...(values.region ? { region: values.region } : {}) });
  try {
    const { channels, languages } = await effectiveChannels(store, sellerId);
    const chosen = values.channel ? channels.filter((c) => c.id === values.channel) : channels;
    if (values.channel && chosen.length === 0) {
      throw new UsageError(`seller ${sellerId} has no alert channel '${values.channel}' (channels: ${channels.map((c) => c.id).join(', ') || 'none'})`);
    }
    if (chosen.length === 0) throw new UsageError(`seller ${sellerId} has no alert channel to test; add one with: shipnow seller channels set --seller ${sellerId} ...`);
    const factory = makeChannelFactory({
      ...(from ? { ses: { client: ses, from, ...(env[ENV.ALERT_SES_CONFIGURATION_SET] ? { configurationSetName: env[ENV.ALERT_SES_CONFIGURATION_SET] } : {}) } } : {}),
      sns: { client: sns, ...(topicArn ? { defaultTopicArn: topicArn } : {}) },
    });
    const outbox = outboxOf(store);
    const broken = new Set((await outbox.brokenChannels(sellerId)).map((b) => b.channelId));
    const results: Array<{ channel: string; type: ChannelType; ok: boolean; error?: string; retryable?: boolean; clearedBroken?: boolean }> = [];
    for (const c of chosen) {
      if (c.type === 'email' && !from) {
        results.push({ channel: c.id, type: c.type, ok: false, retryable: false, error: `email needs the verified SES sender: --from ADDRESS or ${ENV.ALERT_FROM_ADDRESS}` });
        continue;
      }
      if (c.type === 'sns' && !c.topicArn && !topicArn) {
        results.push({ channel: c.id, type: c.type, ok: false, retryable: false, error: `this channel uses the stack's alert topic: give it with --topic-arn ARN or ${ENV.ALERT_TOPIC_ARN}` });
        continue;
      }
      const message = channelTestMessage(sellerId, c, languages, now.toISOString());
      try {
        await factory(c).send({ sellerId, alerts: [], message });
        const clearedBroken = broken.has(c.id);
        if (clearedBroken) await outbox.clear(sellerId, c.id);
        results.push({ channel: c.id, type: c.type, ok: true, ...(clearedBroken ? { clearedBroken } : {}) });
      } catch (err) {
        if (!(err instanceof PermanentChannelError || err instanceof TransientChannelError)) throw err;
        results.push({ channel: c.id, type: c.type, ok: false, retryable: err instanceof TransientChannelError, error: err.message + rootCause(err) });
      }
    }
    if (values.json) io.out(JSON.stringify({ sellerId, results }, null, 2));
    else {
      for (const r of results) {
        if (r.ok) io.out(`ok\t${r.channel}\t${r.type}\ttest message delivered${r.clearedBroken ? ' (no longer marked broken)' : ''}`);
        else io.out(`failed\t${r.channel}\t${r.type}\t${r.error}${r.retryable ? ' (temporary: try again later)' : ''}`);
      }
    }
    return results.every((r) => r.ok) ? EXIT.OK : EXIT.FAILED;
  } finally {
    ses.destroy();
    sns.destroy();
    await store.close();
  }
}

/** fetch says only "fetch failed"; what failed (ENOTFOUND, ECONNREFUSED, a certificate) is its cause. */
function rootCause(err: Error): string {
  // Duck-typed: fetch's errors may come from another realm, where instanceof Error is false.
  let c = err.cause as { message?: unknown; cause?: unknown } | undefined;
  let last: string | undefined;
  for (let depth = 0; c && typeof c === 'object' && depth < 4; depth++) {
    if (typeof c.message === 'string' && c.message && !err.message.includes(c.message)) last = c.message;
    c = c.cause as typeof c;
  }
  return last ? ` (${last})` : '';
}

function requireSeller(seller: string | undefined, sub: string): string {
  if (!seller) throw new UsageError(`seller channels ${sub} needs --seller ID`);
  const idProblem = sellerIdProblem('--seller', seller);
  if (idProblem) throw new UsageError(idProblem);
  return seller;
}
