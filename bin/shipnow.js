#!/usr/bin/env node
// The `shipnow` command. Runs the TypeScript CLI from source through tsx, so
// `npx shipnow` works right after `npm ci` with no build step.
'use strict';
require('./quiet-warnings');
require('tsx/cjs');
const { main } = require('../functions/local/cli.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`shipnow: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 2;
  },
);
