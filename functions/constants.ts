/**
 * Names shared by the Lambda code (functions/config.ts) and the CDK stack (infra/), so an
 * environment variable set by the stack and read by a function can never drift apart.
 */
export const ENV = {
  TABLE_NAME: 'SENTINEL_TABLE_NAME',
  GRACE_MINUTES: 'SENTINEL_GRACE_MINUTES',
  TRUSTED_AUTHSERV_ID: 'SENTINEL_TRUSTED_AUTHSERV_ID',
  // Data retention (DynamoDB TTL): days a notification is kept after it arrived, and days a closed
  // order (shipped, cancelled, nothing due) is kept after the last thing known about it.
  NOTIFICATION_RETENTION_DAYS: 'SENTINEL_NOTIFICATION_RETENTION_DAYS',
  CLOSED_ORDER_RETENTION_DAYS: 'SENTINEL_CLOSED_ORDER_RETENTION_DAYS',
  // Email intake (issue 3): the bucket SES stores raw mail in, the inbound domain of the sellers'
  // addresses, the size limit (bytes) and the days intake records are kept.
  MAIL_BUCKET: 'SENTINEL_MAIL_BUCKET',
  INBOUND_DOMAIN: 'SENTINEL_INBOUND_DOMAIN',
  MAX_MESSAGE_BYTES: 'SENTINEL_MAX_MESSAGE_BYTES',
  INTAKE_RETENTION_DAYS: 'SENTINEL_INTAKE_RETENTION_DAYS',
  // Order sync (issue 4): the queue the dispatcher fans sellers out to, the Secrets Manager name
  // prefix of the SP-API credentials, the EventBridge bus "sync broken" events go to, and the
  // minutes a sync run re-reads before its watermark.
  SYNC_QUEUE_URL: 'SENTINEL_SYNC_QUEUE_URL',
  SP_API_SECRETS_PREFIX: 'SENTINEL_SP_API_SECRETS_PREFIX',
  SYNC_EVENT_BUS: 'SENTINEL_SYNC_EVENT_BUS',
  SYNC_OVERLAP_MINUTES: 'SENTINEL_SYNC_OVERLAP_MINUTES',
  // Alerting (issue 5): the verified SES sender of alert email and its configuration set, the SNS
  // topic every seller falls back to, the bus every alert is published to, and how many ms before
  // the Lambda deadline a run stops taking new work.
  ALERT_FROM_ADDRESS: 'SENTINEL_ALERT_FROM_ADDRESS',
  ALERT_SES_CONFIGURATION_SET: 'SENTINEL_ALERT_SES_CONFIGURATION_SET',
  ALERT_TOPIC_ARN: 'SENTINEL_ALERT_TOPIC_ARN',
  ALERT_EVENT_BUS: 'SENTINEL_ALERT_EVENT_BUS',
  STOP_BEFORE_DEADLINE_MS: 'SENTINEL_STOP_BEFORE_DEADLINE_MS',
  // The seller's web (issue 15): its base URL (alerts and reports link to it; absent: no links) and
  // the Secrets Manager secret holding the link keys (one per line, current first).
  WEB_BASE_URL: 'SENTINEL_WEB_BASE_URL',
  LINK_KEY_SECRET: 'SENTINEL_LINK_KEY_SECRET',
} as const;

/** CloudWatch metrics namespace for every function of the stack. */
export const METRICS_NAMESPACE = 'ShipNowSentinel';
export const SERVICE_NAME = 'shipnow-sentinel';

/**
 * Secrets Manager name prefix of the SP-API credentials when the stack sets none: read by the
 * order-sync functions (functions/config.ts), the CLI and the construct that grants access to it.
 */
export const DEFAULT_SECRETS_PREFIX = 'shipnow-sentinel/sp-api/';
