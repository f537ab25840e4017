import { certificateChain, type TestChain } from '@wildtls/core/testing';
import { removeDir, tempDir, type Daemon } from '../../harness/daemon.js';
import { startDovecot } from '../dovecot/start-dovecot.js';
import { startInspircd } from '../inspircd/start-inspircd.js';
import { startNginx } from '../nginx/start-nginx.js';
import { startProsody } from '../prosody/start-prosody.js';
import { startDovecotAuth } from '../smtp/dovecot-auth.js';
import { startPostfix } from '../smtp/postfix.js';
import { writeTlsFiles } from '../smtp/tls-files.js';

/** One TCP service a daemon of the farm really serves. */
export interface Served {
  ip: string;
  port: number;
  service: string;
  mode: 'starttls' | 'implicit';
  /** The chain that daemon was given: leaf first. */
  chain: TestChain;
}

export interface Farm {
  /** One loopback address per daemon, in 127.0.15.0/24. */
  addresses: string[];
  /** Each scanned service and the ports it is probed on (every address gets every one). */
  servicePorts: Record<string, number[]>;
  served: Served[];
  /** Domain Prosody serves (options.xmpp.to). */
  xmppDomain: string;
  logs(): string;
  stop(): Promise<void>;
}

export const FARM = {
  postfix: '127.0.15.1',
  dovecot: '127.0.15.2',
  prosody: '127.0.15.3',
  inspircd: '127.0.15.4',
  nginx: '127.0.15.5',
} as const;

/** Where each daemon of a farm listens: one loopback address each. */
export type FarmAddresses = { readonly [K in keyof typeof FARM]: string };

const NGINX_PORT = 443;
const XMPP_DOMAIN = 'xmpp.farm.wildtls.test';

const pemChain = (c: TestChain) => [c.leaf.certPem, c.intermediate.certPem].map((p) => p.trim() + '\n').join('');

/**
 * Start the whole loopback farm once: Postfix (25, 587 with SASL through
 * Dovecot auth, 465), Dovecot (IMAP, IMAPS, POP3, POP3S on ports the kernel
 * picks), Prosody (5222, 5269, 5223, 5270), InspIRCd with STARTTLS (6667,
 * 6697) and nginx (443). Each daemon has its own certificate chain, so a
 * record's chain also shows which daemon answered. If one daemon fails to
 * start, the others are stopped before the error is thrown. `at` moves the
 * farm to other addresses (a test of its own range: the ports are fixed).
 */
export async function startFarm(at: FarmAddresses = FARM): Promise<Farm> {
  const dir = tempDir('farm');
  const daemons: Daemon[] = [];
  const stop = async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    removeDir(dir);
  };
  try {
    // RSA chains for the mail and XMPP daemons, ECDSA for InspIRCd and nginx: both kinds cross the engine.
    const [mailFiles, imap, xmpp, irc, www] = await Promise.all([
      writeTlsFiles(dir, 'mx.farm.wildtls.test'),
      certificateChain({ leafName: 'imap.farm.wildtls.test' }),
      certificateChain({ leafName: XMPP_DOMAIN }),
      certificateChain({ leafName: 'irc.farm.wildtls.test', keyType: 'ec' }),
      certificateChain({ leafName: 'www.farm.wildtls.test', keyType: 'ec' }),
    ]);
    const started = await Promise.allSettled([
      (async () => {
        const auth = await startDovecotAuth(dir, ['PLAIN', 'LOGIN']);
        daemons.push(auth.daemon);
        const pf = at.postfix;
        const sasl = '-o smtpd_sasl_auth_enable=yes -o broken_sasl_auth_clients=yes';
        daemons.push(
          await startPostfix(dir, {
            bundleFile: mailFiles.bundleFile,
            saslSocket: auth.socket,
            services: [
              `${pf}:25 inet n - n - - smtpd`,
              `${pf}:587 inet n - n - - smtpd ${sasl} -o smtpd_tls_auth_only=yes`,
              `${pf}:465 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes ${sasl}`,
            ],
            listens: [25, 587, 465].map((port) => ({ host: pf, port })),
          }),
        );
      })(),
      startDovecot({ ip: at.dovecot, ssl: true, disablePlaintextAuth: true, mechanisms: ['plain', 'login'], certChainPem: pemChain(imap), keyPem: imap.leaf.keyPem }).then((d) => {
        daemons.push({ ...d.daemon, stop: d.stop });
        return d;
      }),
      startProsody({ ip: at.prosody, host: XMPP_DOMAIN, certChainPem: pemChain(xmpp), keyPem: xmpp.leaf.keyPem, c2sRequireEncryption: true, protocol: 'tlsv1_2+' }).then((d) => {
        daemons.push(d);
        return d;
      }),
      startInspircd({ ip: at.inspircd, serverName: 'irc.farm.wildtls.test', certChainPem: pemChain(irc), keyPem: irc.leaf.keyPem, starttls: true, priority: 'NORMAL' }).then((d) => {
        daemons.push(d);
        return d;
      }),
      startNginx(pemChain(www), www.leaf.keyPem, [{ ip: at.nginx, port: NGINX_PORT, serverName: 'www.farm.wildtls.test', protocols: 'TLSv1.2 TLSv1.3', status: 200 }]).then((d) => {
        daemons.push(d);
        return d;
      }),
    ]);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const dovecot = (started[1] as PromiseFulfilledResult<Awaited<ReturnType<typeof startDovecot>>>).value;
    const prosody = (started[2] as PromiseFulfilledResult<Awaited<ReturnType<typeof startProsody>>>).value;
    const inspircd = (started[3] as PromiseFulfilledResult<Awaited<ReturnType<typeof startInspircd>>>).value;

    const served: Served[] = [
      { ip: at.postfix, port: 25, service: 'smtp', mode: 'starttls', chain: mailFiles.chain },
      { ip: at.postfix, port: 587, service: 'submission', mode: 'starttls', chain: mailFiles.chain },
      { ip: at.postfix, port: 465, service: 'smtps', mode: 'implicit', chain: mailFiles.chain },
      { ip: at.dovecot, port: dovecot.ports.imap, service: 'imap', mode: 'starttls', chain: imap },
      { ip: at.dovecot, port: dovecot.ports.imaps, service: 'imaps', mode: 'implicit', chain: imap },
      { ip: at.dovecot, port: dovecot.ports.pop3, service: 'pop3', mode: 'starttls', chain: imap },
      { ip: at.dovecot, port: dovecot.ports.pop3s, service: 'pop3s', mode: 'implicit', chain: imap },
      { ip: at.prosody, port: prosody.ports.c2s, service: 'xmpp-client', mode: 'starttls', chain: xmpp },
      { ip: at.prosody, port: prosody.ports.s2s, service: 'xmpp-server', mode: 'starttls', chain: xmpp },
      { ip: at.prosody, port: prosody.ports.c2sTls, service: 'xmpps-client', mode: 'implicit', chain: xmpp },
      { ip: at.prosody, port: prosody.ports.s2sTls, service: 'xmpps-server', mode: 'implicit', chain: xmpp },
      { ip: at.inspircd, port: inspircd.ports.irc, service: 'irc', mode: 'starttls', chain: irc },
      { ip: at.inspircd, port: inspircd.ports.ircs, service: 'ircs', mode: 'implicit', chain: irc },
      { ip: at.nginx, port: NGINX_PORT, service: 'https', mode: 'implicit', chain: www },
    ];
    const servicePorts: Record<string, number[]> = {};
    for (const s of served) (servicePorts[s.service] ??= []).push(s.port);
    // A different protocol on the port: POP3 is also tried on Postfix's port 25.
    servicePorts.pop3!.push(25);
    return {
      addresses: Object.values(at),
      servicePorts,
      served,
      xmppDomain: XMPP_DOMAIN,
      logs: () => daemons.map((d) => d.output()).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
