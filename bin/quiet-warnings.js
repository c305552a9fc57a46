'use strict';
// The AWS SDK warns on every start that its releases after January 2027 will need Node 22.
// That is a note for maintainers (see README, "Requirements"), not for someone reading the
// command's output: drop that one warning, keep every other.
const emit = process.emitWarning;
process.emitWarning = function emitWarning(warning, ...rest) {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0] && rest[0].type;
  const text = String(warning && warning.message ? warning.message : warning);
  if (type === 'NodeVersionSupportWarning' || /NodeVersionSupportWarning|will require node >=22/.test(text)) return;
  return emit.call(process, warning, ...rest);
};
