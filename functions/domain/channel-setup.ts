/**
 * Setting up a seller's alert channels, pure: on top of the stored schema (ChannelConfigSchema in
 * ./alert-settings.ts, the one definition of a channel), the shape a URL of each bot must have so that a
 * pasted token or a wrong link is caught when the channel is set rather than at the first missing
 * order; masking of the credentials a listing must not echo; and the test message.
 *
 * The shapes are not part of the stored schema on purpose: a proxy, a private Feishu deployment or
 * a local test server is a valid channel; `seller channels set --allow-any-url` accepts those.
 */
import type { RenderedMessage } from './alert-message';
import type { AlertLanguage } from './alert-model';
import type { ChannelConfig, ChannelType } from './alert-settings';
import type { IsoTime } from './types';

/** Channel IDs become sort-key parts of the channel-health items: no `#`, short. */
export const CHANNEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The channel `alertSettings` derives from the profile's alert emails (not stored under alerting). */
export const DERIVED_EMAIL_CHANNEL_ID = 'alert-emails';

export const CHANNEL_TYPES: readonly ChannelType[] = ['email', 'sns', 'slack', 'dingtalk', 'wecom', 'feishu', 'webhook'];

interface BotShape {
  example: string;
  check(u: URL): boolean;
}

const BOT_SHAPES: Partial<Record<ChannelType, BotShape>> = {
  dingtalk: {
    example: 'https://oapi.dingtalk.com/robot/send?access_token=...',
    check: (u) => u.hostname === 'oapi.dingtalk.com' && u.pathname === '/robot/send' && !!u.searchParams.get('access_token'),
  },
  wecom: {
    example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...',
    check: (u) => u.hostname === 'qyapi.weixin.qq.com' && u.pathname === '/cgi-bin/webhook/send' && !!u.searchParams.get('key'),
  },
  feishu: {
    example: 'https://open.feishu.cn/open-apis/bot/v2/hook/... (Lark: https://open.larksuite.com/open-apis/bot/v2/hook/...)',
    check: (u) => (u.hostname === 'open.feishu.cn' || u.hostname === 'open.larksuite.com') && /^\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(u.pathname),
  },
  slack: {
    example: 'https://hooks.slack.com/services/T.../B.../...',
    check: (u) => u.hostname === 'hooks.slack.com' && /^\/(services|triggers|workflows)\/[^/]+\/.+/.test(u.pathname),
  },
};

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** The example URL of a bot type, for messages and help. */
export function botUrlExample(type: ChannelType): string | undefined {
  return BOT_SHAPES[type]?.example;
}

/**
 * What is wrong with a (schema-valid) channel beyond the stored schema: the URL shape of its bot,
 * https, a DingTalk signing secret that is not one, an SNS topic that is not an ARN. Empty: fine.
 * `anyUrl` skips the URL shape (not https and the secret checks).
 */
export interface SetupProblem {
  /** The field of the channel (ChannelConfig key) the problem is about. */
  field: 'id' | 'url' | 'secret' | 'topicArn';
  message: string;
}

export function channelSetupProblems(c: ChannelConfig, options: { anyUrl?: boolean } = {}): SetupProblem[] {
  const problems: SetupProblem[] = [];
  if (!CHANNEL_ID_PATTERN.test(c.id)) problems.push({ field: 'id', message: `'${c.id}': letters, digits, '.', '_' and '-' only (max 64)` });
  if ('url' in c) {
    let u: URL | undefined;
    try {
      u = new URL(c.url);
    } catch {
      problems.push({ field: 'url', message: `'${c.url}' is not a URL` });
    }
    if (u && !options.anyUrl) {
      const shape = BOT_SHAPES[c.type];
      if (u.protocol !== 'https:') problems.push({ field: 'url', message: `must be https (got ${u.protocol.replace(':', '')})` });
      else if (shape && !shape.check(u)) problems.push({ field: 'url', message: `is not a ${c.type} bot webhook URL (expected ${shape.example})` });
    }
  }
  if (c.type === 'dingtalk' && c.secret !== undefined && !/^SEC[0-9A-Za-z]+$/.test(c.secret)) {
    problems.push({ field: 'secret', message: "is not a DingTalk signing secret (it starts with 'SEC'; robot settings > Security > Additional signature)" });
  }
  if (c.type === 'sns' && c.topicArn !== undefined && !SNS_TOPIC_ARN.test(c.topicArn)) {
    problems.push({ field: 'topicArn', message: `'${c.topicArn}' is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)` });
  }
  return problems;
}

/** `abcd…wxyz` for a long token, `****` for a short one. */
export function maskToken(token: string): string {
  return token.length <= 12 ? '****' : `${token.slice(0, 4)}…${token.slice(-4)}`;
}

/** A secret is never shown, only that it is set (and its last 2 characters, to tell two apart). */
export function maskSecret(secret: string): string {
  return secret.length < 16 ? '********' : `********${secret.slice(-2)}`;
}

/**
 * The URL with its credential masked: the bot's token (query `access_token` / `key`, the hook ID
 * of Feishu/Lark, Slack's path after the workspace), and every query value of other URLs.
 */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return maskToken(url);
  }
  for (const [k, v] of [...u.searchParams]) u.searchParams.set(k, maskToken(v));
  const path = u.pathname.split('/');
  if (/^\/open-apis\/bot\/v2\/hook\/[^/]+$/.test(u.pathname)) path[path.length - 1] = maskToken(path[path.length - 1]);
  if (u.hostname === 'hooks.slack.com' && path.length > 3) for (let i = 3; i < path.length; i++) path[i] = maskToken(path[i]);
  u.pathname = path.join('/');
  // URL encodes the ellipsis; shown to a person, so decode it back.
  return decodeURI(u.toString());
}

/** The channel as a listing shows it: no secret, no token. */
export function maskedChannel(c: ChannelConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  if ('url' in c) out.url = maskUrl(c.url);
  if ('secret' in c && c.secret !== undefined) out.secret = maskSecret(c.secret);
  return out;
}

/** Where a channel delivers, for one line of a listing (masked). */
export function channelTarget(c: ChannelConfig): string {
  switch (c.type) {
    case 'email':
      return c.to.join(',');
    case 'sns':
      return c.topicArn ?? '(the stack topic)';
    default:
      return maskUrl(c.url) + ('secret' in c && c.secret ? ' (signed)' : '');
  }
}

const TYPE_NAMES: Record<ChannelType, { en: string; zh: string }> = {
  email: { en: 'email', zh: '邮件' },
  sns: { en: 'SNS', zh: 'SNS' },
  slack: { en: 'Slack', zh: 'Slack' },
  dingtalk: { en: 'DingTalk', zh: '钉钉' },
  wecom: { en: 'WeCom', zh: '企业微信' },
  feishu: { en: 'Feishu/Lark', zh: '飞书' },
  webhook: { en: 'webhook', zh: 'Webhook' },
};

/** The test message `seller channels test` sends, in the seller's alert languages. */
export function channelTestMessage(sellerId: string, channel: Pick<ChannelConfig, 'id' | 'type'>, languages: readonly AlertLanguage[], now: IsoTime): RenderedMessage {
  const t = TYPE_NAMES[channel.type];
  const parts: Record<AlertLanguage, { subject: string; body: string }> = {
    'zh-CN': {
      subject: '【测试】ShipNow Sentinel 提醒渠道测试',
      body: `这是一条测试消息：卖家 ${sellerId} 的提醒渠道「${channel.id}」（${t.zh}）可以收到 ShipNow Sentinel 的提醒。无需任何操作。\n发送时间：${now}`,
    },
    en: {
      subject: 'ShipNow Sentinel alert channel test',
      body: `This is a test message: alert channel '${channel.id}' (${t.en}) of seller ${sellerId} receives ShipNow Sentinel alerts. Nothing to do.\nSent at: ${now}`,
    },
  };
  const langs = languages.length > 0 ? languages : (['zh-CN', 'en'] as AlertLanguage[]);
  return {
    subject: langs.map((l) => parts[l].subject).join(' / '),
    text: langs.map((l) => parts[l].body).join('\n\n'),
    markdown: langs.map((l) => `**${parts[l].subject}**\n\n${parts[l].body}`).join('\n\n---\n\n'),
  };
}
