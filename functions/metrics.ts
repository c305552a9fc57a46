/**
 * Every CloudWatch metric the functions emit (EMF via Powertools Metrics) and the dimensions they
 * may carry, in one place: the handlers emit these names, and the dashboard and alarms
 * (infra/constructs/observability.ts, alerting.ts, order-sync.ts) read the same constants, so a
 * renamed metric cannot leave an alarm watching nothing.
 *
 * No per-seller dimension anywhere: CloudWatch bills per metric, so 10,000 sellers would be 10,000
 * custom metrics; seller detail goes to the logs and the table instead.
 */
export { METRICS_NAMESPACE, SERVICE_NAME } from './constants';

/** The SES intake (handlers/inbound-mail.ts). */
export const INBOUND_MAIL_METRICS = {
  ACCEPTED: 'MailAccepted',
  DUPLICATE: 'MailDuplicate',
  REJECTED: 'MailRejected',
  QUARANTINED: 'MailQuarantined',
  /** Seconds from the order's purchase/payment time to the email's arrival (matched orders). */
  ARRIVAL_DELAY: 'MailArrivalDelay',
  /** Seconds from the Date header to arrival: time in transit (forwarding, greylisting). */
  TRANSIT_DELAY: 'MailTransitDelay',
  /** Orders named by accepted Sold, Ship Now emails (the "notified" step of the dashboard funnel). */
  ORDERS_NOTIFIED: 'OrdersNotified',
} as const;

/** The reconciler (handlers/reconciler.ts). */
export const RECONCILER_METRICS = {
  DUE: 'ReconcileDueOrders',
  TRANSITIONS: 'ReconcileTransitions',
  ALERTS: 'AlertsRaised',
  FAILED: 'ReconcileFailedOrders',
  SKIPPED: 'ReconcileSkippedOrders',
  STOPPED_EARLY: 'ReconcileStoppedEarly',
  /** Orders that turned `missing` in this run (their Sold, Ship Now email did not come in time). */
  ORDERS_MISSING: 'OrdersMissing',
  /** Wall-clock duration of the reconcile pass (ms). */
  DURATION: 'ReconcileDuration',
  /** Items read from the due index (the reconciler's DynamoDB read cost grows with it). */
  ITEMS_READ: 'ReconcileItemsRead',
} as const;

/** The alert sender (handlers/alert-sender.ts). */
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

/** The order sync (dispatcher, worker, ORDER_CHANGE, report import). */
export const ORDER_SYNC_METRICS = {
  ORDERS_SYNCED: 'OrdersSynced',
  ORDERS_WRITTEN: 'OrdersWritten',
  THROTTLED_CALLS: 'ThrottledCalls',
  /** With one dimension, `Reason` (invalid-grant, authorization-revoked, credentials-missing, throttled, server-error, ...). */
  SYNC_FAILURES: 'SyncFailures',
  /** Seconds since the oldest last successful sync over all sellers and marketplaces (dispatcher). */
  OLDEST_SUCCESSFUL_SYNC_AGE: 'OldestSuccessfulSyncAgeSeconds',
  BROKEN_SYNCS: 'BrokenSyncs',
  SELLERS_DISPATCHED: 'SellersDispatched',
  ORDER_CHANGES_APPLIED: 'OrderChangesApplied',
  ORDER_CHANGES_IGNORED: 'OrderChangesIgnored',
  REPORT_ORDERS_IMPORTED: 'ReportOrdersImported',
  REPORTS_REJECTED: 'ReportsRejected',
} as const;

/** The dimension Powertools adds to every metric (the service name). */
export const SERVICE_DIMENSION = 'service';
/** The per-reason breakdown of rejected and quarantined mail (a fixed set of reason codes, never a seller). */
export const REASON_DIMENSION = 'reason';
/** The per-reason breakdown of sync failures. */
export const FAILURE_REASON_DIMENSION = 'Reason';
/**
 * The per-channel breakdown of deliveries: the channel *type*, a small fixed set, never the
 * seller's channel ID (that would be a metric per seller).
 */
export const CHANNEL_DIMENSION = 'channel';
/** The dimension Powertools' cold-start metric carries. */
export const FUNCTION_NAME_DIMENSION = 'function_name';

/** The only dimensions a Sentinel metric may carry (none of them identifies a seller). */
export const ALLOWED_METRIC_DIMENSIONS = [SERVICE_DIMENSION, REASON_DIMENSION, FAILURE_REASON_DIMENSION, CHANNEL_DIMENSION, FUNCTION_NAME_DIMENSION] as const;

/**
 * The names the dashboard and alarms read, under one flat set of keys (the handlers' names, with
 * the mail and reconciler ones prefixed where two families share a short key).
 */
export const DASHBOARD_METRICS = {
  ...ORDER_SYNC_METRICS,
  ...ALERT_SENDER_METRICS,
  MAIL_ACCEPTED: INBOUND_MAIL_METRICS.ACCEPTED,
  MAIL_DUPLICATE: INBOUND_MAIL_METRICS.DUPLICATE,
  MAIL_REJECTED: INBOUND_MAIL_METRICS.REJECTED,
  MAIL_QUARANTINED: INBOUND_MAIL_METRICS.QUARANTINED,
  MAIL_ARRIVAL_DELAY: INBOUND_MAIL_METRICS.ARRIVAL_DELAY,
  MAIL_TRANSIT_DELAY: INBOUND_MAIL_METRICS.TRANSIT_DELAY,
  ORDERS_NOTIFIED: INBOUND_MAIL_METRICS.ORDERS_NOTIFIED,
  ORDERS_MISSING: RECONCILER_METRICS.ORDERS_MISSING,
  ALERTS_RAISED: RECONCILER_METRICS.ALERTS,
  RECONCILE_DUE: RECONCILER_METRICS.DUE,
  RECONCILE_DURATION: RECONCILER_METRICS.DURATION,
  RECONCILE_ITEMS_READ: RECONCILER_METRICS.ITEMS_READ,
  RECONCILE_FAILED: RECONCILER_METRICS.FAILED,
} as const;

/** The weekly report (handlers/weekly-report.ts). */
export const WEEKLY_REPORT_METRICS = {
  /** Reports written to the outbox by a run (the sender delivers them). */
  QUEUED: 'WeeklyReportsQueued',
  /** Sellers whose report could not be built (logged with the seller). */
  FAILED: 'WeeklyReportsFailed',
} as const;
