/**
 * How a handler logs a failure, the same way everywhere: the error's name, message, cause (the
 * chain, a few levels deep), the SDK's HTTP status and request ID when it is an AWS error, and the
 * top of the stack. Used by every SQS batch handler for each failed record, so a message that
 * ends in a DLQ has its reason in the function's JSON log (searchable by the SQS message ID).
 *
 * Never put message content in errors: these lines carry only what the error itself says.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';

export interface DescribedError {
  name: string;
  message: string;
  httpStatusCode?: number;
  requestId?: string;
  stack?: string[];
  cause?: DescribedError | string;
}

export function describeError(err: unknown, depth = 0): DescribedError {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err).slice(0, 1000) };
  const meta = (err as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  const out: DescribedError = { name: err.name, message: err.message.slice(0, 2000) };
  if (meta?.httpStatusCode !== undefined) out.httpStatusCode = meta.httpStatusCode;
  if (meta?.requestId) out.requestId = meta.requestId;
  if (err.stack) out.stack = err.stack.split('\n').slice(1, 6).map((l) => l.trim());
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) out.cause = depth >= 4 ? String(cause).slice(0, 500) : describeError(cause, depth + 1);
  return out;
}

/**
 * Wrap a batch record handler: a record that throws is logged once (SQS message ID, receive count,
 * error name, message and cause) and the error re-thrown, so Powertools reports it in
 * `batchItemFailures` and SQS retries it, then keeps it in the DLQ.
 */
export function loggingFailures<A extends unknown[], R>(
  logger: Logger,
  handler: (record: SQSRecord, ...rest: A) => Promise<R>,
): (record: SQSRecord, ...rest: A) => Promise<R> {
  return async (record, ...rest) => {
    try {
      return await handler(record, ...rest);
    } catch (err) {
      logger.error('record failed', {
        sqsMessageId: record.messageId,
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 0) || undefined,
        error: describeError(err),
      });
      throw err;
    }
  };
}
