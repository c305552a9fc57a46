/**
 * Stands in for the `html-to-text` package in the Lambda bundles (an esbuild alias set in
 * infra/constructs/sentinel-function.ts). mailparser imports it for one thing, turning an
 * HTML-only message into text, and does that only without `skipHtmlToText`; our one parse path
 * (functions/adapters/mime-parser.ts) sets `skipHtmlToText: true`, because the classifier reads
 * the HTML itself. So html-to-text and its HTML parser (about 110 kB minified) would be compiled
 * on every cold start and never run. Should a caller ever ask for the conversion, mailparser
 * catches this error and reports it as the message's `textConversionError`; nothing is lost.
 */
export function htmlToText(): never {
  throw new Error('html-to-text is not in the Lambda bundle: parse with skipHtmlToText (functions/adapters/mime-parser.ts)');
}
