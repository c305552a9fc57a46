/**
 * Per-seller alert settings: the zod schema of the profile's `alerting` block and of each
 * channel, the defaults, and the effective settings of a seller. Pure.
 */
import * as z from 'zod';
import type { AlertLanguage } from './alert-model';
import { SentinelError } from './errors';
import type { ReminderSchedule, Seller } from './types';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24 h');
const url = z.string().url();

export const ChannelConfigSchema = z.discriminatedUnion('type', [
  z.object({ id: z.string().min(1), type: z.literal('email'), to: z.array(z.string().email()).min(1) }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('sns'), topicArn: z.string().min(1).optional() }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('slack'), url }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('dingtalk'), url, secret: z.string().min(1).optional() }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('wecom'), url }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('feishu'), url, secret: z.string().min(1).optional() }).strict(),
  z.object({ id: z.string().min(1), type: z.literal('webhook'), url }).strict(),
]);
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type ChannelType = ChannelConfig['type'];

/**
 * Per-seller alert settings, kept on the seller profile as `alerting` (all optional). Strict, so a
 * typo (`quietHour`) is an error rather than a silently ignored setting.
 */
export const AlertSettingsInputSchema = z
  .object({
    languages: z.array(z.enum(['zh-CN', 'en'])).min(1).optional(),
    timeZone: z.string().min(1).optional(),
    reminders: z
      .object({
        shipByHours: z.array(z.number().positive()).optional(),
        autoCancelDays: z.array(z.number().positive()).optional(),
      })
      .strict()
      .optional(),
    quietHours: z.object({ start: hhmm, end: hhmm }).strict().optional(),
    /** Channels in order of preference: a broken one falls through to the next. */
    channels: z.array(ChannelConfigSchema).optional(),
    /** More than this many alerts for one seller in one sender run become one digest. */
    digestThreshold: z.number().int().positive().optional(),
    /** channel-down after this many expected orders missing in a row with no email since. */
    channelDownAfter: z.number().int().min(2).optional(),
    /** unknown-order after the notification stayed unmatched this many hours. */
    unknownOrderHours: z.number().positive().optional(),
    /** A channel marked broken is tried again this many hours after its latest failure. */
    brokenChannelRetryHours: z.number().positive().optional(),
  })
  .strict();
export type AlertSettingsInput = z.infer<typeof AlertSettingsInputSchema>;

export interface AlertSettings {
  languages: AlertLanguage[];
  timeZone: string;
  reminders: ReminderSchedule;
  quietHours?: { start: string; end: string };
  channels: ChannelConfig[];
  digestThreshold: number;
  channelDownAfter: number;
  unknownOrderHours: number;
  brokenChannelRetryHours: number;
}

export const DEFAULT_REMINDERS: Readonly<ReminderSchedule> = Object.freeze({ shipByHours: [24, 12, 4], autoCancelDays: [7, 3, 1] });

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = Object.freeze({
  languages: ['zh-CN', 'en'] as AlertLanguage[],
  timeZone: 'Asia/Shanghai',
  reminders: DEFAULT_REMINDERS,
  channels: [],
  digestThreshold: 3,
  channelDownAfter: 3,
  unknownOrderHours: 6,
  brokenChannelRetryHours: 6,
});

export class InvalidAlertSettingsError extends SentinelError {
  readonly sellerId: string;
  constructor(sellerId: string, problem: string) {
    super(`seller ${sellerId}: invalid alerting settings: ${problem}`);
    this.sellerId = sellerId;
  }
}

/**
 * The seller's effective settings: profile `alerting` over the defaults; the profile's
 * `language`/`timeZone`/`alertEmails` fill in when `alerting` does not say (alertEmails become an
 * email channel after the configured ones).
 */
export function alertSettings(seller: Seller | undefined): AlertSettings {
  if (!seller) return { ...DEFAULT_ALERT_SETTINGS };
  const raw = (seller as Seller & { alerting?: unknown }).alerting ?? {};
  const parsed = AlertSettingsInputSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidAlertSettingsError(seller.sellerId, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const s = parsed.data;
  const channels: ChannelConfig[] = [...(s.channels ?? [])];
  if (seller.alertEmails && seller.alertEmails.length > 0 && !channels.some((c) => c.type === 'email')) {
    channels.push({ id: 'alert-emails', type: 'email', to: seller.alertEmails });
  }
  return {
    languages: s.languages ?? (seller.language ? [seller.language] : [...DEFAULT_ALERT_SETTINGS.languages]),
    timeZone: s.timeZone ?? seller.timeZone ?? DEFAULT_ALERT_SETTINGS.timeZone,
    reminders: {
      shipByHours: s.reminders?.shipByHours ?? [...DEFAULT_REMINDERS.shipByHours],
      autoCancelDays: s.reminders?.autoCancelDays ?? [...DEFAULT_REMINDERS.autoCancelDays],
    },
    ...(s.quietHours ? { quietHours: s.quietHours } : {}),
    channels,
    digestThreshold: s.digestThreshold ?? DEFAULT_ALERT_SETTINGS.digestThreshold,
    channelDownAfter: s.channelDownAfter ?? DEFAULT_ALERT_SETTINGS.channelDownAfter,
    unknownOrderHours: s.unknownOrderHours ?? DEFAULT_ALERT_SETTINGS.unknownOrderHours,
    brokenChannelRetryHours: s.brokenChannelRetryHours ?? DEFAULT_ALERT_SETTINGS.brokenChannelRetryHours,
  };
}
