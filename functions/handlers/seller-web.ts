/**
 * The seller web on a Lambda Function URL (payload format 2.0): the event becomes a WebRequest
 * for the one request handler (functions/web/app.ts), its answer the Function URL's response.
 * The Function URL has no AWS auth (authType NONE): the per-seller signed links are the auth.
 *
 * A bug throws (the Function URL answers 502 and the error is logged with its stack by the
 * runtime); every expected failure is a page in plain words with its status code.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { makeWebApp, type WebAppDeps, type WebRequest } from '../web/app';
import { wireSellerWeb } from '../wiring-web';
import { builtOnColdStart } from './lambda-chain';

export function toWebRequest(event: APIGatewayProxyEventV2): WebRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body,
    sourceIp: event.requestContext.http.sourceIp,
    origin: `https://${event.requestContext.domainName}`,
  };
}

export function makeHandler(deps: WebAppDeps): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  const app = makeWebApp(deps);
  return async (event) => {
    const res = await app(toWebRequest(event));
    return { statusCode: res.status, headers: res.headers, body: res.body };
  };
}

/** The Lambda entry point: configuration read and clients created once, on the cold start. */
export const handler = builtOnColdStart(() => {
  const h = makeHandler(wireSellerWeb(process.env));
  return (event: APIGatewayProxyEventV2) => h(event);
});
