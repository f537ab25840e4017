import type { TSchema } from '@sinclair/typebox';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { ProbeDialog } from '../probe/dialog-context.js';
import type { Analyzer } from '../analysis/analyzer.js';
import type { Sink } from '../sinks/sink.js';
import type { TargetSource } from '../targets/target-source.js';
import type { PassiveDialog } from './passive-dialog.js';

/**
 * The plugin API version this core implements. A plugin declares the semver
 * range it was built for in `api`; the loader refuses a plugin whose range
 * does not include this version.
 */
export const PLUGIN_API_VERSION = '1.2.0';

export type PluginKind = 'protocol' | 'analysis' | 'sink' | 'target-source';

/** What a plugin's optional `register` hook receives. */
export interface RegisterContext<Options = unknown> {
  /** The scan's DI container: register services other plugins may resolve. */
  container: DependencyContainer;
  logger: Logger;
  /** This plugin's own config section (`options.<id>`), validated and defaulted. */
  options: Options;
}

export interface PluginBase<Options = unknown> {
  kind: PluginKind;
  /** Unique id; also the key of the plugin's config section under `options`. */
  id: string;
  /** The plugin's own version (usually its package.json version). */
  version: string;
  /** Semver range of the plugin API it was built for, e.g. "^1.0.0". */
  api: string;
  description?: string;
  /** JSON Schema (TypeBox or plain) of the plugin's section under `options.<id>`. */
  configSchema?: TSchema | Record<string, unknown>;
  /** Called once when the plugin is loaded, with the DI container. */
  register?(ctx: RegisterContext<Options>): void | Promise<void>;
}

export type TlsMode = 'starttls' | 'implicit';

/** One service a protocol plugin provides (smtp, submission, smtps, ...). */
export interface ServiceSpec<Options = unknown> {
  /** Service name used on the command line (`--protocol smtps`) and in records. */
  name: string;
  defaultPort: number;
  /** implicit: the kernel performs the TLS handshake before the dialog; starttls: the dialog calls `ctx.startTls()`. */
  mode: TlsMode;
  description?: string;
  /** The dialog the kernel runs on a connection it opened. */
  dialog: ProbeDialog<Options>;
  /**
   * Optional: a follower of this dialog seen from the wire, for `wildtls passive`
   * (one per connection). Implicit-TLS services need none: TLS starts at once.
   */
  passive?: () => PassiveDialog;
}

export interface ProtocolPlugin<Options = unknown> extends PluginBase<Options> {
  kind: 'protocol';
  services: ServiceSpec<Options>[];
}

export interface AnalysisCreateContext<Options = unknown> {
  options: Options;
  logger: Logger;
  container: DependencyContainer;
  /** Analysis parameters given on the command line (`--at`, `--roots`, ...). */
  params: AnalysisParams;
}

export interface AnalysisParams {
  /** Evaluate time-dependent properties (certificate validity) at this instant; default: each record's scan time. */
  at?: Date;
  /** PEM bundle of trust anchors; default: Node's bundled Mozilla store. */
  rootsFile?: string;
  [key: string]: unknown;
}

export interface AnalysisPlugin<Options = unknown> extends PluginBase<Options> {
  kind: 'analysis';
  /** Create one analyzer; it sees records one at a time and then reports. */
  create(ctx: AnalysisCreateContext<Options>): Analyzer | Promise<Analyzer>;
}

export interface SinkCreateContext<Options = unknown> {
  /** This sink's entry in `output.sinks` (minus `use`). */
  settings: Record<string, unknown>;
  options: Options;
  logger: Logger;
  container: DependencyContainer;
}

export interface SinkPlugin<Options = unknown> extends PluginBase<Options> {
  kind: 'sink';
  create(ctx: SinkCreateContext<Options>): Sink | Promise<Sink>;
}

export interface TargetSourceCreateContext<Options = unknown> {
  options: Options;
  logger: Logger;
  container: DependencyContainer;
  /** The scan's target settings (positional targets, --input, seed, shards...). */
  scan: Record<string, unknown>;
}

export interface TargetSourcePlugin<Options = unknown> extends PluginBase<Options> {
  kind: 'target-source';
  create(ctx: TargetSourceCreateContext<Options>): TargetSource | Promise<TargetSource>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list holds plugins of every options type; a dialog taking SmtpOptions is no dialog taking unknown
export type WildtlsPlugin<Options = any> =
  | ProtocolPlugin<Options>
  | AnalysisPlugin<Options>
  | SinkPlugin<Options>
  | TargetSourcePlugin<Options>;

/** Identity helpers that give plugin authors type checking and inference. */
export function defineProtocolPlugin<O>(plugin: ProtocolPlugin<O>): ProtocolPlugin<O> {
  return plugin;
}
export function defineAnalysisPlugin<O>(plugin: AnalysisPlugin<O>): AnalysisPlugin<O> {
  return plugin;
}
export function defineSinkPlugin<O>(plugin: SinkPlugin<O>): SinkPlugin<O> {
  return plugin;
}
export function defineTargetSourcePlugin<O>(plugin: TargetSourcePlugin<O>): TargetSourcePlugin<O> {
  return plugin;
}
