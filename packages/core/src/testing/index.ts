/** Test helpers for wildtls and its plugins: @wildtls/core/testing. */
export { selfSignedCertificate, certificateChain, type TestCertificate, type TestChain } from './certificates.js';
export { startScriptedServer, type ScriptStep, type ScriptedServer, type ScriptedServerOptions } from './scripted-server.js';
export { runDialogAgainst, type DialogRunOptions } from './run-dialog.js';
