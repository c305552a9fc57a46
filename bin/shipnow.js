#!/usr/bin/env node
// The `shipnow` command. Runs the TypeScript CLI from source through tsx, so
// `npx shipnow` works right after `npm ci` with no build step.
'use strict';
require('./quiet-warnings');
require('tsx/cjs');
const { main, EXIT } = require('../functions/local/cli.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // Not bad input (that is exit 2, handled in main): a bug or a broken environment. One line,
    // and a distinct exit code so scripts can tell the two apart; the stack on request.
    const message = err && err.message ? err.message.split('\n')[0] : String(err);
    console.error(`shipnow: internal error: ${message}${process.env.SHIPNOW_DEBUG ? '' : ' (SHIPNOW_DEBUG=1 shows the stack)'}`);
    if (process.env.SHIPNOW_DEBUG && err && err.stack) console.error(err.stack);
    process.exitCode = EXIT.INTERNAL;
  },
);
