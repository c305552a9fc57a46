/** Metric names of the alerting functions, shared with infra (alarms) without importing a handler. */
export const ALERT_SENDER_METRICS = {
  SENT: 'AlertsSent',
  RETRIED: 'AlertsRetried',
  FAILED: 'AlertsFailed',
  DIGESTS: 'AlertDigests',
  CHANNEL_BROKEN: 'AlertChannelBroken',
  /** Messages a channel took, with one dimension `channel` (its type: email, sns, slack, ...). */
  DELIVERIES: 'AlertDeliveries',
  /** Sends that failed on a channel after its retries, with one dimension `channel` (its type). */
  DELIVERY_FAILURES: 'AlertDeliveryFailures',
  /**
   * Seconds the longest-waiting undelivered alert has waited (0 when none), every run: the
   * operator alarm fires when it exceeds the configured maximum (default 30 minutes).
   */
  OLDEST_WAITING: 'AlertOldestWaitingSeconds',
  /** Unexpected errors of a run (bugs, record-keeping that kept failing): each one is logged. */
  ERRORS: 'AlertSenderErrors',
} as const;

/**
 * The dimension of the per-channel metrics: the channel *type*, a small fixed set, never the
 * seller's channel ID (that would be a metric per seller).
 */
export const CHANNEL_DIMENSION = 'channel';
