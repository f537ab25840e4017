export { BUILTIN_PLUGINS } from './builtins.js';
export { loadRun, mergeOverrides, type RunSetup } from './load-run.js';
