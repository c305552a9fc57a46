#!/usr/bin/env node
// Runs a TypeScript entry point straight from source (tsx), so no build step is needed
// after `npm ci`. Usage: node bin/run-ts.js path/to/file.ts [args...]
'use strict';
const path = require('node:path');
require('./quiet-warnings');
require('tsx/cjs');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: run-ts.js FILE.ts [args...]');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
