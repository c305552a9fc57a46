/**
 * AWS channels: SES email to the seller's backup addresses (SESv2 SendEmail), an SNS topic (SMS or
 * email subscribers), and EventBridge PutEvents of every alert to the stack's bus.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../../domain/alert-model';
import { type AlertChannel, type AlertEventPublisher, type OutgoingMessage } from '../../domain/ports';
import { PermanentChannelError, TransientChannelError } from '../../domain/errors';

/** EventBridge `source` and `detail-type` of alert events (docs/alert-events.md). */
export const ALERT_EVENT_SOURCE = 'shipnow.sentinel';
export const ALERT_EVENT_DETAIL_TYPE = 'ShipNow Sentinel Alert';
export const ALERT_EVENT_SCHEMA_VERSION = 1;

/** SDK errors that mean "try again later". Everything else from the service is permanent. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalErrorException',
  'TimeoutError',
  'RequestTimeout',
  'KMSThrottlingException',
]);

export function classifyAwsError(channelId: string, err: unknown): Error {
  const e = err as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const transient = TRANSIENT_NAMES.has(e?.name ?? '') || e?.$fault === 'server' || status === undefined || status === 429 || status >= 500;
  const text = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  return transient ? new TransientChannelError(channelId, text, { cause: err }) : new PermanentChannelError(channelId, text, { cause: err });
}

export class SesEmailChannel implements AlertChannel {
  readonly type = 'email' as const;
  constructor(
    readonly id: string,
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly to: readonly string[],
    private readonly configurationSetName?: string,
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [...this.to] },
          Content: {
            Simple: {
              Subject: { Data: m.message.subject, Charset: 'UTF-8' },
              // Both parts: the HTML one shows the "handled" / "snooze" links as buttons.
              Body: {
                Text: { Data: m.message.text, Charset: 'UTF-8' },
                ...(m.message.html ? { Html: { Data: m.message.html, Charset: 'UTF-8' } } : {}),
              },
            },
          },
          ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
        }),
        call.signal ? { abortSignal: call.signal } : {},
      );
    } catch (err) {
      throw classifyAwsError(this.id, err);
    }
  }
}

/** SNS Subject: ASCII only, no line breaks, under 100 characters (else the API refuses it). */
export function snsSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  return (ascii || 'ShipNow Sentinel alert').slice(0, 99);
}

export class SnsChannel implements AlertChannel {
  readonly type = 'sns' as const;
  constructor(
    readonly id: string,
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}
  async send(m: OutgoingMessage, call: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({ TopicArn: this.topicArn, Subject: snsSubject(m.message.subject), Message: m.message.text }),
        call.signal ? { abortSignal: call.signal } : {},
      );
    } catch (err) {
      throw classifyAwsError(this.id, err);
    }
  }
}

/** The event detail: a versioned envelope around the alert (schema in docs/alert-events.md). */
export function alertEventDetail(alert: Alert): Record<string, unknown> {
  return { schemaVersion: ALERT_EVENT_SCHEMA_VERSION, alert };
}

export class EventBridgeAlertPublisher implements AlertEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}
  async publish(alerts: readonly Alert[]): Promise<void> {
    // PutEvents takes at most 10 entries per call.
    for (let i = 0; i < alerts.length; i += 10) {
      const batch = alerts.slice(i, i + 10);
      const res = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((a) => ({
            EventBusName: this.eventBusName,
            Source: ALERT_EVENT_SOURCE,
            DetailType: ALERT_EVENT_DETAIL_TYPE,
            Time: new Date(a.raisedAt),
            Resources: [],
            Detail: JSON.stringify(alertEventDetail(a)),
          })),
        }),
      );
      if ((res.FailedEntryCount ?? 0) > 0) {
        const codes = (res.Entries ?? []).filter((e) => e.ErrorCode).map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
        throw new TransientChannelError('eventbridge', `PutEvents failed for ${res.FailedEntryCount} entries: ${codes.join('; ')}`);
      }
    }
  }
}
