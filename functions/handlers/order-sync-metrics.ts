/**
 * Metric names of the order sync (EMF via Powertools Metrics), in one place so the handlers, the
 * dashboards and the alarms agree. No per-seller dimensions: 10,000 sellers would be 10,000
 * custom metrics; seller detail goes to the logs and the sync health items instead.
 */
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

export const FAILURE_REASON_DIMENSION = 'Reason';
