/** Metric names of the alerting functions, shared with infra (alarms) without importing a handler. */
export const ALERT_SENDER_METRICS = {
  SENT: 'AlertsSent',
  RETRIED: 'AlertsRetried',
  FAILED: 'AlertsFailed',
  DIGESTS: 'AlertDigests',
  CHANNEL_BROKEN: 'AlertChannelBroken',
} as const;
