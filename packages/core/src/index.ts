/**
 * @wildtls/core: the kernel and the public plugin API. This file is the
 * package's only public door; everything not exported here is internal.
 */
import 'reflect-metadata';

export { Type, type Static, type TSchema } from '@sinclair/typebox';

export * from './errors.js';
export * from './plugin/api.js';
export { loadPlugins, checkPlugin, type LoadedPlugin, type LoadPluginsOptions } from './plugin/load-plugins.js';
export { resolvePlugin, type PluginSource, type ResolvedPlugin } from './plugin/resolve-plugin.js';
export { PluginRegistry, type ResolvedService } from './plugin/registry.js';

export { ProbeRecordSchema, type ProbeRecord, type ProbeRecordExtensions } from './record/record-schema.js';
export { TlsInfoSchema, TlsVersionSchema, type TlsInfo, type TlsVersion } from './record/tls-schema.js';
export { PROBE_STATUSES, ProbeError, errorToStatus, isProbeError, type ProbeStatus, type ProbeErrorReason } from './record/status.js';

export { CoreConfigSchema, type WildtlsConfig, type ScanSettings, type TlsSettings } from './config/core-schema.js';
export { loadConfigFile, CONFIG_SEARCH_PLACES, type LoadedConfig } from './config/load-config.js';
export { validateConfig, assembleConfigSchema } from './config/validate-config.js';

export { ResultBus, type BusHandler, type BusStats, type SubscribeOptions } from './bus/result-bus.js';
export { createLogger, silentLogger, type LogSettings } from './log/logger.js';
export { TOKENS } from './di/tokens.js';

export { Connection, type ConnectionLimits, type ReadLimits } from './net/connection.js';
export type { DialogContext, DialogRecord, ProbeDialog, ProbeTarget, StartTlsOutcome } from './probe/dialog-context.js';
export { runProbe, type ProbeJob, type ProbeSettings, type ProbeTimeouts } from './probe/run-probe.js';
export { readReply, sanitize, type ReplyLimits } from './dialog/read-reply.js';
export { runLineStartTls, type LineStartTlsSpec, type CapabilityView } from './dialog/line-starttls.js';

export type { TlsEngine, TlsHandshakeOptions, TlsHandshakeResult, TlsProfileRef } from './tls/engine.js';
export { NodeTlsEngine } from './tls/node-tls-engine.js';

export type { TargetInput, TargetSource, TargetSourceStats } from './targets/target-source.js';
export { Exclusions, readCidrFile, type ExclusionSettings } from './targets/blocklist.js';
export { AddressSet, parseCidr } from './targets/address-set.js';
export { IANA_SPECIAL_PURPOSE_V4, IANA_SPECIAL_PURPOSE_V6 } from './targets/iana-special.js';
export { InlineTargetSource } from './targets/inline-target-source.js';

export type { Sink } from './sinks/sink.js';
export { JsonlSink, type JsonlSinkSettings } from './sinks/jsonl-sink.js';

export type { Analyzer } from './analysis/analyzer.js';
export type { Report, ReportTable, ReportColumn, ReportCell, ColumnType, CountingRule } from './analysis/report.js';
export { renderReports, type ReportFormat } from './analysis/render-report.js';
export { readRecords } from './analysis/read-records.js';

export { runScan, type ScanSummary, type ScanService, type RunScanOptions } from './scan/run-scan.js';
export { scanFromConfig, createRunContainer, type RunEnvironment, type ScanOutcome } from './scan/prepare-run.js';
export { Semaphore } from './scan/semaphore.js';
