import { Flags } from '@oclif/core';
import { WildtlsCommand } from '../base-command.js';
import { scanOverrides, setFlag, tlsFlags } from '../flags.js';
import { loadRun } from '../load-run.js';

export default class Worker extends WildtlsCommand {
  static override description =
    'Take chunks of a queued scan (`wildtls scan --queue URL`) from Redis and probe them.\n\n' +
    'The worker reads the job the coordinator published (its targets, seed, blocklist and shards, its services and TLS settings) and refuses it (exit 1, naming the difference) when its own plugins (id@version) or probe settings (TLS, deadlines, byte caps, plugin options, per-network caps) differ. ' +
    'It then takes one chunk at a time under a lease it extends while it works, rebuilds the chunk\'s targets from the plan, probes them with the normal probe path under the per-network caps and the ONE global rate kept in Redis, and sends the chunk\'s records back in one message. ' +
    'A worker killed with kill -9 loses nothing: its chunk goes to another worker when the lease runs out. The worker exits 0 when the job is done; SIGINT/SIGTERM finishes the current chunk and exits. ' +
    'The Redis URL: redis://[user:password@]HOST:PORT/DB, rediss:// for TLS (CA file in WILDTLS_REDIS_CA). Unreachable Redis or a wrong password is a usage error (exit 2).';

  static override examples = [
    '<%= config.bin %> worker --queue redis://192.0.2.10:6379/0',
    '<%= config.bin %> worker --queue redis://scanner:secret@192.0.2.10:6379/0 --workers 4 --concurrency 500',
    'WILDTLS_REDIS_CA=ca.pem <%= config.bin %> worker --queue rediss://:secret@redis.example.org:6380/0 --config wildtls.config.yaml',
  ];

  static override flags = {
    ...tlsFlags,
    ...setFlag,
    queue: Flags.string({ description: 'The Redis of the queued scan: redis://[user:password@]HOST:PORT/DB (rediss:// for TLS).', required: true }),
    workers: Flags.integer({ min: 1, max: 256, description: 'Probe worker threads in this process (1: probes run in the main thread). Default: the main thread probes, and worker threads join it while the probing threads are saturated, up to one per other core (as wildtls scan).' }),
    concurrency: Flags.integer({ min: 1, description: 'Connections in flight at once in this process (default 100).' }),
    'chunks-in-flight': Flags.integer({ min: 1, max: 16, default: 2, description: 'Chunks this process works on at once (the tail of one overlaps the next); --concurrency is shared among them.' }),
    wait: Flags.integer({ min: 0, default: 300, description: 'Seconds to wait for a job to be published before giving up.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Worker);
    const overrides = scanOverrides(flags, []);
    const setup = await loadRun({ configFile: flags.config, overrides, sets: flags.set, logLevel: flags['log-level'] });
    const abort = new AbortController();
    const stop = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const { runWorker } = await import('../queue/run-worker.js');
      const summary = await runWorker({ url: flags.queue, config: setup.config, registry: setup.registry, logger: setup.logger, waitMs: flags.wait * 1000, signal: abort.signal, lanes: flags['chunks-in-flight'] });
      setup.logger.info(summary, abort.signal.aborted ? 'worker stopped' : 'job done; worker leaves');
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
}
