/**
 * @wildtls/core: the kernel and the public plugin API. This file is the
 * package's only public door; everything not exported here is internal.
 */
import 'reflect-metadata';

export { Type, type Static, type TSchema } from '@sinclair/typebox';

export * from './errors.js';
export * from './plugin/api.js';
export { loadPlugins, checkPlugin, type LoadedPlugin, type LoadPluginsOptions } from './plugin/load-plugins.js';
export { readPluginManifest, type PluginManifest } from './plugin/load-plugins.js';
export { resolvePlugin, type PluginSource, type ResolvedPlugin } from './plugin/resolve-plugin.js';
export { PluginRegistry, type ResolvedService } from './plugin/registry.js';

export { ProbeRecordSchema, type ProbeRecord, type ProbeRecordExtensions } from './record/record-schema.js';
export { SessionTicketSchema, TlsInfoSchema, TlsVersionSchema, type SessionTicket, type TlsInfo, type TlsVersion } from './record/tls-schema.js';
export { PROBE_STATUSES, ProbeError, errorToStatus, isProbeError, type ProbeStatus, type ProbeErrorReason } from './record/status.js';

export { CoreConfigSchema, type WildtlsConfig, type ScanSettings, type TlsSettings } from './config/core-schema.js';
export { loadConfigFile, CONFIG_SEARCH_PLACES, type LoadedConfig } from './config/load-config.js';
export { validateConfig, assembleConfigSchema } from './config/validate-config.js';

export { ResultBus, type BusHandler, type BusStats, type SubscribeOptions } from './bus/result-bus.js';
export { createLogger, silentLogger, type LogSettings } from './log/logger.js';
export { type LogFormat } from './log/logger.js';
export { formatHumanLine } from './log/human-line.js';
export { TOKENS } from './di/tokens.js';

export { Connection, type ConnectionLimits, type ReadLimits } from './net/connection.js';
export { asDuplex, type ByteStream } from './net/byte-stream.js';
export { ByteBudget } from './net/byte-budget.js';
export { dialTcp, defaultSocketKind, type DialOptions, type SocketKind } from './net/dial.js';
export { TcpClient, newTcpClient, tcpClientAvailable } from './net/tcp-client.js';
export type { DialogContext, DialogRecord, ProbeDialog, ProbeTarget, StartTlsOutcome } from './probe/dialog-context.js';
export { runProbe, type ProbeJob, type ProbeSettings, type ProbeTimeouts } from './probe/run-probe.js';
export { readReply, sanitize, type ReplyLimits } from './dialog/read-reply.js';
export { runLineStartTls, type LineStartTlsSpec } from './dialog/line-starttls.js';
export { CappedList, addMechanismWords, cappedView, mechanismName, recordCapabilities, type CapabilityView } from './dialog/capability-lists.js';
export { hasPrefixAt, isSpace, isWord, skipSpace, wordEnd } from './dialog/words.js';
export { CAPABILITY_ENTRY_LENGTH, MAX_CAPABILITIES, MAX_SASL_MECHANISMS, SASL_NAME_LENGTH } from './record/list-caps.js';

export type { HandshakeDeadline, HandshakeExpiry, TlsEngine, TlsHandshakeOptions, TlsHandshakeResult, TlsProfileRef } from './tls/engine.js';
export { NodeTlsEngine } from './tls/node-tls-engine.js';
// TLS engine
export { RawTlsEngine } from './tls/raw-tls-engine.js';
export type { TlsLimits } from './tls/limits.js';
export { resolveProfile, validateProfile, BUILTIN_PROFILES, DEFAULT_PROFILE, TlsProfileSchema, type TlsProfile } from './tls/profiles.js';
export { cipherSuiteById, cipherSuiteName, cipherSuiteId, whyNotCompletable, type CipherSuite } from './tls/cipher-suites.js';
export { alertName, extensionName, groupName, versionName } from './tls/names.js';

export type { TargetInput, TargetSource, TargetSourceStats, TargetStreamOptions } from './targets/target-source.js';
export { Exclusions, readCidrFile, type ExclusionSettings } from './targets/blocklist.js';
export { AddressSet, parseCidr } from './targets/address-set.js';
export { IntervalSet } from './targets/interval-set.js';
export { ipv4ToInt, intToIpv4 } from './targets/ipv4.js';
export { IANA_SPECIAL_PURPOSE_V4, IANA_SPECIAL_PURPOSE_V6 } from './targets/iana-special.js';
export { cyclicGroup, primeAbove, type CyclicGroup } from './targets/cyclic-group.js';
export { ShardWalk } from './targets/shard-walk.js';
export { RangeSpace } from './targets/range-space.js';
export { TARGET_TOKENS } from './targets/source-context.js';
export { DnsClient, DEFAULT_DNS, type DnsSettings, type MxHost } from './targets/dns/dns-client.js';
export { RangeTargetSource, type RangeSourceOptions } from './targets/sources/range-source.js';
export { ZmapTargetSource, type ZmapSourceOptions } from './targets/sources/zmap-source.js';
export { DomainTargetSource, parseDomainLine, type DomainSourceOptions } from './targets/sources/domain-source.js';
export { parseTarget, parsePort, MAX_TARGET_CHARS, type TargetSpec, type TargetParse } from './targets/target-syntax.js';
export { parseDomainEntry } from './targets/sources/domain-source.js';
export { BUILTIN_TARGET_SOURCES, rangeSource, ipv4AllSource, zmapSource, domainSource } from './targets/builtin-sources.js';

export { TokenBucket } from './rate/token-bucket.js';
export { NetworkLimiter } from './rate/network-limiter.js';
export { createAdmission, type Admit, type AdmissionSettings, type KeyedAdmit } from './rate/admission.js';

export type { Sink } from './sinks/sink.js';
export { JsonlSink, type JsonlSinkSettings } from './sinks/jsonl-sink.js';
export { parseRecordLine, recordLine } from './record/record-line.js';

export type { Analyzer } from './analysis/analyzer.js';
export type { StoreQuery } from './store/store-query.js';
export { storeHasPassive } from './store/store-passive.js';
export { openStore, type ResultStore, type OpenStoreOptions } from './store/result-store.js';
export { StoreSink, STORE_BATCH, type StoreSinkSettings } from './store/store-sink.js';
export { StoreWriter } from './store/store-writer.js';
export { importIntoStore, type ImportOptions } from './store/import-records.js';
export { STORE_FORMAT, STORE_SCHEMA_VERSION } from './store/store-schema.js';
export { isStoreFile } from './store/store-file.js';
export { prepareOutput, isStorePath } from './scan/resume-output.js';
export { exportStore, certificatesParquetPath, type ExportFormat } from './store/export-store.js';
export type { Report, ReportTable, ReportColumn, ReportCell, ColumnType, CountingRule, PaperRef } from './analysis/report.js';
export type { ReportFigure, ReportHeadline } from './analysis/report.js';
export { headlineValues } from './analysis/report-headline.js';
export { renderReports, type ReportFormat } from './analysis/render-report.js';
export { renderTerminal, type TerminalOptions } from './analysis/render-terminal.js';
export { reportCsvFiles, type CsvFile } from './analysis/csv-files.js';
export { headline, headlineCell, headlineItems, type Headline, type HeadlineItem } from './analysis/headline.js';
export { isEmptyRow, ROW_LABEL_KEYS } from './analysis/empty-rows.js';
export { visible as terminalSafe } from './analysis/render-table.js';
export { paperView, type PaperView, type PaperSection } from './analysis/paper-view.js';
export { renderPaperView } from './analysis/render-paper-view.js';
export { STUDY_LABELS } from './analysis/paper-refs.js';
export { readRecords, type ReadRecordsOptions } from './analysis/read-records.js';
export { serverKey, share, ServerTally } from './analysis/server-key.js';
export { ServerMap, ServerSet } from './analysis/server-set.js';
export { IntMap, IntSet } from './analysis/int-table.js';
export { DigestIds, type DigestKey } from './analysis/digest-ids.js';
export { StringSpill } from './analysis/string-spill.js';
export { CertificateIds } from './analysis/certificate-ids.js';
export * as der from './der/der.js';
export { PassiveExclusions, PassiveExclusionRuleSchema, passiveExclusionsOption, STUDY_PASSIVE_EXCLUSIONS, TOR_LINK_CERTIFICATE_RULE, ALPN_HTTP_PUSH_RULE, HTTP_PUSH_ALPN, type PassiveExclusionRule } from './analysis/passive-exclusions.js';
export { certificateNames, leafNames, type NameAttributes } from './analysis/leaf-names.js';

export { runScan, type ScanSummary, type ScanService, type RunScanOptions } from './scan/run-scan.js';
export { ProbePool, type ProbePoolOptions } from './scan/workers/probe-pool.js';
export type { WorkerSetup, ProbeRequest, ProbeRequests, ProbeAnswer, ProbeAnswers, ProbeFailure, WorkerMessage } from './scan/workers/messages.js';
export { expandTarget } from './scan/expand-target.js';
export { scanFromConfig, createRunContainer, probeSettingsFromConfig, type RunEnvironment, type ScanOutcome } from './scan/prepare-run.js';
export { planTargets, buildServices, type TargetPlan, type TargetEnvironment } from './scan/target-plan.js';
export { PositionTracker, probeKey, type TrackerSnapshot, type StreamCounters } from './scan/position-tracker.js';
export { readCheckpoint, writeCheckpoint, type Checkpoint } from './scan/checkpoint.js';
export { ScanProgress, formatStatuses, type ProgressStats, type ProgressMode } from './scan/progress.js';
export { Semaphore } from './scan/semaphore.js';

// Passive monitoring (issue 16): capture reading and TCP reassembly
export type { FlowKey, FlowStart, FlowDirection, FlowEndReason, FlowHandler, FlowHandlerFactory } from './passive/flow.js';
export { readCaptureFlows, type ReadCaptureOptions } from './passive/read-capture-flows.js';
export type { CaptureInput } from './passive/capture/capture-source.js';
export { emptyCaptureStats, type CaptureStats } from './passive/capture/capture-stats.js';
export { DEFAULT_REASSEMBLY_LIMITS, type ReassemblyLimits } from './passive/reassembly/reassembly-limits.js';
export { passiveFromConfig, type PassiveFactoryContext, type PassiveFactoryMaker, type PassivePrivacy, type PassiveRunOptions, type PassiveOutcome } from './passive/passive-run.js';
export { createOutputSinks } from './scan/output-sinks.js';
export type { PassiveDialog, PassiveSide, PassiveStep, PassiveView } from './plugin/passive-dialog.js';
export { linePassiveDialog, PASSIVE_LINE_BYTES, PASSIVE_MAX_LINES, type LinePassiveSpec } from './dialog/passive-lines.js';
export { createPassiveFlowFactory, passivePortMap, watchedPorts, type PassiveFollowOptions, type PassivePortEntry } from './follow/flow-factory.js';
export { loadClientKey, clientAnonymizer } from './follow/client-key.js';
export { PassiveInfoSchema, type PassiveInfo } from './record/passive-schema.js';
export { parseClientHello, type ClientHello } from './tls/client-hello-parse.js';
export { ja3, ja4, isGrease } from './tls/fingerprints.js';
export { scanPlan, planDifferences, type ScanPlan, type PlanSummary } from './scan/scan-plan.js';
export { probeRunnerFor, type ProbeRunner } from './scan/workers/start-pool.js';
