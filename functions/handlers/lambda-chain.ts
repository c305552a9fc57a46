/**
 * The middy chain every handler uses, in one place: Powertools' logger gets the Lambda context
 * (request ID, cold start, function name on every line) and drops the keys a previous invocation
 * appended; Powertools' metrics are flushed as EMF at the end of each invocation, even when it
 * throws. A handler is written as a plain `(event, context) => Promise<result>` and wrapped here.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export interface ChainOptions {
  logger: Logger;
  /** Absent: the function emits no metrics. */
  metrics?: Metrics;
  /** Emit Powertools' ColdStart metric (dimension function_name). Default true. */
  coldStartMetric?: boolean;
}

export function lambdaChain<TEvent, TResult>(base: (event: TEvent, context: Context) => Promise<TResult>, options: ChainOptions) {
  const chain = middy(base).use(injectLambdaContext(options.logger, { resetKeys: true }));
  return options.metrics ? chain.use(logMetrics(options.metrics, { captureColdStartMetric: options.coldStartMetric ?? true })) : chain;
}

/**
 * The exported Lambda entry point: the handler is built on the first invocation (the cold start,
 * where configuration is read and clients are created) and reused after, so importing a handler
 * module (as the tests do) has no side effects.
 */
export function builtOnColdStart<TEvent, TResult>(build: () => (event: TEvent, context: Context) => Promise<TResult>) {
  let built: ((event: TEvent, context: Context) => Promise<TResult>) | undefined;
  return (event: TEvent, context: Context): Promise<TResult> => (built ??= build())(event, context);
}
