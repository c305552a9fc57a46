/**
 * The seller's alert settings (other than the channels) as flags of `shipnow seller update`,
 * pure: each flag is parsed with a message naming it, the change is applied to the stored
 * `alerting` object, and the result is checked with the one schema the sender reads
 * (AlertSettingsInputSchema in ./alert-settings.ts), so what is written is exactly what will be used.
 */
import { AlertSettingsInputSchema } from './alert-settings';

/** Flag -> the setting it changes (`reminders.*` are nested). */
export const ALERTING_FLAGS = {
  'quiet-hours': 'quietHours',
  'alert-languages': 'languages',
  'ship-by-reminders': 'reminders.shipByHours',
  'auto-cancel-reminders': 'reminders.autoCancelDays',
  'digest-threshold': 'digestThreshold',
  'channel-down-after': 'channelDownAfter',
  'unknown-order-hours': 'unknownOrderHours',
  'broken-channel-retry-hours': 'brokenChannelRetryHours',
} as const;
export type AlertingFlag = keyof typeof ALERTING_FLAGS;
export const ALERTING_FLAG_NAMES = Object.keys(ALERTING_FLAGS) as AlertingFlag[];

type Path = (typeof ALERTING_FLAGS)[AlertingFlag];

export interface AlertingChange {
  set: Partial<Record<AlertingFlag, unknown>>;
  clear: AlertingFlag[];
}

/** Parse the given flags; `problems` names each bad one. */
export function parseAlertingFlags(values: Partial<Record<AlertingFlag, string>>): { change: AlertingChange; problems: string[] } {
  const problems: string[] = [];
  const set: AlertingChange['set'] = {};
  for (const flag of ALERTING_FLAG_NAMES) {
    const raw = values[flag]?.trim();
    if (raw === undefined) continue;
    const r = parseOne(flag, raw);
    if (typeof r === 'string') problems.push(`--${flag} ${r} (got '${raw}')`);
    else set[flag] = r.value;
  }
  return { change: { set, clear: [] }, problems };
}

function parseOne(flag: AlertingFlag, raw: string): { value: unknown } | string {
  switch (flag) {
    case 'quiet-hours': {
      const m = /^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
      return m ? { value: { start: `${m[1]}:${m[2]}`, end: `${m[3]}:${m[4]}` } } : 'must be START-END in 24 h time, e.g. 23:00-07:30 (the seller\'s time zone)';
    }
    case 'alert-languages': {
      const langs = [...new Set(raw.split(/[,;\s]+/).filter(Boolean))];
      return langs.length > 0 && langs.every((l) => l === 'zh-CN' || l === 'en') ? { value: langs } : 'must list zh-CN and/or en, in the order shown, e.g. zh-CN,en';
    }
    case 'ship-by-reminders':
    case 'auto-cancel-reminders': {
      const parts = raw.split(/[,;\s]+/).filter(Boolean);
      const nums = parts.map(Number);
      const unit = flag === 'ship-by-reminders' ? 'hours before ship-by, e.g. 24,12,4' : 'days before auto-cancel, e.g. 7,3,1';
      return parts.length > 0 && nums.every((n) => Number.isFinite(n) && n > 0) ? { value: [...new Set(nums)].sort((a, b) => b - a) } : `must list positive numbers of ${unit}`;
    }
    case 'digest-threshold':
    case 'channel-down-after': {
      const min = flag === 'digest-threshold' ? 1 : 2;
      return /^\d+$/.test(raw) && Number(raw) >= min ? { value: Number(raw) } : `must be a whole number from ${min}`;
    }
    case 'unknown-order-hours':
    case 'broken-channel-retry-hours': {
      const n = Number(raw);
      return raw !== '' && Number.isFinite(n) && n > 0 ? { value: n } : 'must be a positive number of hours';
    }
  }
}

/**
 * The stored `alerting` object with the change applied (other keys, the channels among them, kept
 * as they are), checked with the sender's schema; `problem` when the result would be refused.
 */
export function applyAlertingChange(stored: Record<string, unknown>, change: AlertingChange): { alerting: Record<string, unknown>; problem?: string } {
  const next: Record<string, unknown> = { ...stored };
  const reminders: Record<string, unknown> = isObject(next.reminders) ? { ...next.reminders } : {};
  const put = (path: Path, value: unknown | undefined) => {
    const [head, sub] = path.split('.') as [string, string | undefined];
    if (sub) {
      if (value === undefined) delete reminders[sub];
      else reminders[sub] = value;
    } else if (value === undefined) delete next[head];
    else next[head] = value;
  };
  for (const [flag, value] of Object.entries(change.set) as Array<[AlertingFlag, unknown]>) put(ALERTING_FLAGS[flag], value);
  for (const flag of change.clear) put(ALERTING_FLAGS[flag], undefined);
  if (Object.keys(reminders).length > 0) next.reminders = reminders;
  else delete next.reminders;
  const problem = alertingProblem(next);
  return problem ? { alerting: next, problem } : { alerting: next };
}

/** Why the sender would refuse this `alerting` object (AlertSettingsInputSchema), or undefined. */
export function alertingProblem(alerting: Record<string, unknown>): string | undefined {
  const parsed = AlertSettingsInputSchema.safeParse(alerting);
  return parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

/** The `alerting` object stored on a profile (a copy; {} when there is none). */
export function storedAlerting(seller: { alerting?: unknown }): Record<string, unknown> {
  const a = seller.alerting;
  return isObject(a) ? { ...a } : {};
}

/** `23:00-07:30`, `zh-CN,en`, `24,12,4`, `3`: a setting as its flag takes it (for diffs). */
export function showAlertingValue(flag: AlertingFlag, alerting: Record<string, unknown>): string {
  const [head, sub] = ALERTING_FLAGS[flag].split('.') as [string, string | undefined];
  const v = sub ? (isObject(alerting[head]) ? (alerting[head] as Record<string, unknown>)[sub] : undefined) : alerting[head];
  if (v === undefined) return '(default)';
  if (flag === 'quiet-hours' && isObject(v)) return `${String(v.start)}-${String(v.end)}`;
  return Array.isArray(v) ? v.join(',') : String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
