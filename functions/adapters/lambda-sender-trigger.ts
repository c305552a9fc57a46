/**
 * Starts the alert sender at once (an asynchronous Lambda invoke), so an alert the reconciler has
 * just written leaves within seconds instead of waiting for the sender's next scheduled minute
 * (issue 13, time to alert). The event looks like the schedule's, which the sender ignores anyway;
 * overlapping sender runs are safe (each alert is claimed by compare-and-set). If the invoke fails,
 * the scheduled run within the minute sends the alert: the caller logs and goes on.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

export interface AlertSenderTrigger {
  /** Ask the sender to run now (fire and forget: resolves once Lambda has queued the invocation). */
  start(reason: { alerts: number }): Promise<void>;
}

export class LambdaAlertSenderTrigger implements AlertSenderTrigger {
  constructor(
    private readonly client: Pick<LambdaClient, 'send'>,
    private readonly functionName: string,
  ) {}

  async start(reason: { alerts: number }): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ source: 'shipnow.reconciler', 'detail-type': 'Alerts written', detail: reason })),
      }),
    );
  }
}
