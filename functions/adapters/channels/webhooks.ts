/**
 * Chat-bot and plain JSON webhook channels: Slack incoming webhook, DingTalk custom robot
 * (signed), WeCom group robot, Feishu/Lark custom bot (signed), and a plain JSON POST.
 *
 * Signatures (from the vendors' documentation):
 * - DingTalk: `timestamp` = epoch ms; `sign` = base64(HMAC-SHA256(key = secret,
 *   message = `${timestamp}\n${secret}`)), URL-encoded, both added to the webhook URL's query.
 * - Feishu/Lark: `timestamp` = epoch SECONDS (string); `sign` = base64(HMAC-SHA256(key =
 *   `${timestamp}\n${secret}`, message = empty)), both in the JSON body.
 * Rate limits (DingTalk and WeCom about 20 messages/min per robot, Feishu 100/min) are respected by
 * the sender, which folds a seller's alerts into digests beyond `RATE_LIMIT_PER_MINUTE / 2` per run.
 */
import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../../domain/alert-settings';
import type { AlertChannel, OutgoingMessage } from '../../domain/ports';
import { checkBotCode, postJson, type HttpOptions } from './http';

/** Messages per minute per bot, as the vendors document them. */
export const RATE_LIMIT_PER_MINUTE: Partial<Record<ChannelConfig['type'], number>> = { dingtalk: 20, wecom: 20, feishu: 100 };

export interface WebhookOptions extends HttpOptions {
  /** Clock for signatures; injected for tests. */
  nowMs?: () => number;
}

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', dingtalkSign(secret, timestampMs));
  return u.toString();
}

export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** WeCom markdown content is limited to 4096 bytes; DingTalk about 20,000 bytes. */
function truncateBytes(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= max) return s;
  let cut = buf.subarray(0, max - 3).toString('utf8');
  cut = cut.replace(/\uFFFD$/, '');
  return `${cut}...`;
}

/** Markdown links `[label](url)` in Slack's own link syntax `<url|label>` (mrkdwn has no `[]()`). */
export function slackLinks(markdown: string): string {
  return markdown.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_, label: string, url: string) => `<${url}|${label.replace(/[<>|]/g, '')}>`);
}

export class SlackChannel implements AlertChannel {
  readonly type = 'slack' as const;
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly options: WebhookOptions = {},
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    // Slack answers 200 "ok", or 4xx with a reason (invalid_token, channel_not_found, ...).
    await postJson(this.id, this.url, { text: `${m.message.subject}\n\n${slackLinks(m.message.markdown)}` }, { ...this.options, ...call });
  }
}

export class DingTalkChannel implements AlertChannel {
  readonly type = 'dingtalk' as const;
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly options: WebhookOptions = {},
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    const ts = (this.options.nowMs ?? Date.now)();
    const url = this.secret ? dingtalkSignedUrl(this.url, this.secret, ts) : this.url;
    // 130101: "send too fast" (over 20/min).
    await postToErrcodeBot(
      this.id,
      url,
      { msgtype: 'markdown', markdown: { title: m.message.subject.slice(0, 64), text: truncateBytes(m.message.markdown, 18_000) } },
      { ...this.options, ...call },
      [130101],
    );
  }
}

/**
 * DingTalk and WeCom bots answer HTTP 200 with `{errcode, errmsg}`: errcode 0 is success, the
 * listed codes mean "too fast" (transient), anything else is a permanent failure.
 */
async function postToErrcodeBot(id: string, url: string, body: unknown, options: WebhookOptions, tooFastCodes: number[]): Promise<void> {
  const reply = await postJson(id, url, body, options);
  const j = reply.json as { errcode?: number; errmsg?: string } | undefined;
  checkBotCode(id, j?.errcode, j?.errmsg, tooFastCodes);
}

export class WeComChannel implements AlertChannel {
  readonly type = 'wecom' as const;
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly options: WebhookOptions = {},
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    // 45009: API frequency limit (over 20/min).
    await postToErrcodeBot(
      this.id,
      this.url,
      { msgtype: 'markdown', markdown: { content: truncateBytes(`**${m.message.subject}**\n${m.message.markdown}`, 4096) } },
      { ...this.options, ...call },
      [45009],
    );
  }
}

export class FeishuChannel implements AlertChannel {
  readonly type = 'feishu' as const;
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly secret: string | undefined,
    private readonly options: WebhookOptions = {},
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    const ts = Math.floor((this.options.nowMs ?? Date.now)() / 1000);
    const signature = this.secret ? { timestamp: String(ts), sign: feishuSign(this.secret, ts) } : {};
    const reply = await postJson(
      this.id,
      this.url,
      { ...signature, msg_type: 'text', content: { text: `${m.message.subject}\n\n${m.message.text}` } },
      { ...this.options, ...call },
    );
    const j = reply.json as { code?: number; msg?: string; StatusCode?: number; StatusMessage?: string } | undefined;
    // 11232 / 9499: frequency limited.
    checkBotCode(this.id, j?.code ?? j?.StatusCode, j?.msg ?? j?.StatusMessage, [11232, 9499]);
  }
}

/** Plain JSON: the alerts as published to EventBridge plus the rendered message. */
export class JsonWebhookChannel implements AlertChannel {
  readonly type = 'webhook' as const;
  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly options: WebhookOptions = {},
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    await postJson(
      this.id,
      this.url,
      { type: 'shipnow.sentinel.alerts', version: 1, sellerId: m.sellerId, alerts: m.alerts, message: { subject: m.message.subject, text: m.message.text, ...(m.message.actions ? { actions: m.message.actions } : {}) } },
      { ...this.options, ...call },
    );
  }
}
