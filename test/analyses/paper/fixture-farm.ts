import { removeDir, tempDir, type Daemon } from '../../harness/daemon.js';
import { startDovecot } from '../../real-servers/dovecot/start-dovecot.js';
import { startFarm, type Farm } from '../../real-servers/farm/start-farm.js';
import { startDovecotAuth } from '../../real-servers/smtp/dovecot-auth.js';
import { startPostfix } from '../../real-servers/smtp/postfix.js';
import { writeTlsFiles } from '../../real-servers/smtp/tls-files.js';

/**
 * The servers whose records the paper truth tests copy (127.0.47.0/24, this
 * suite's range): the loopback farm (Postfix, Dovecot, Prosody, InspIRCd,
 * nginx on .1-.5: STARTTLS and implicit TLS, SASL after TLS, IMAP
 * LOGINDISABLED), plus the two plaintext-only kinds the farm lacks: Dovecot
 * without TLS on .6 (IMAP and POP3 with AUTH in the clear) and Postfix without
 * TLS on .7 port 25 (AUTH PLAIN LOGIN in the clear, no STARTTLS).
 */
export const FIXTURE_FARM = { postfix: '127.0.47.1', dovecot: '127.0.47.2', prosody: '127.0.47.3', inspircd: '127.0.47.4', nginx: '127.0.47.5' } as const;
export const PLAIN_DOVECOT = '127.0.47.6';
export const PLAIN_POSTFIX = '127.0.47.7';

export interface FixtureFarm {
  /** The farm, with the plaintext servers' addresses and ports added: what farmConfigYaml scans. */
  farm: Farm;
  logs(): string;
  stop(): Promise<void>;
}

export async function startFixtureFarm(): Promise<FixtureFarm> {
  const dir = tempDir('paper-fixture');
  const daemons: Daemon[] = [];
  let farm: Farm | undefined;
  const stop = async () => {
    await Promise.all([farm?.stop(), ...daemons.map((d) => d.stop())]);
    removeDir(dir);
  };
  try {
    farm = await startFarm(FIXTURE_FARM);
    const dovecot = await startDovecot({ ip: PLAIN_DOVECOT, ssl: false, disablePlaintextAuth: false, mechanisms: ['plain', 'login'] });
    daemons.push({ ...dovecot.daemon, stop: dovecot.stop });
    const auth = await startDovecotAuth(dir, ['PLAIN', 'LOGIN']);
    daemons.push(auth.daemon);
    const files = await writeTlsFiles(dir, 'plain.fixture.wildtls.test');
    daemons.push(
      await startPostfix(dir, {
        bundleFile: files.bundleFile,
        saslSocket: auth.socket,
        services: [`${PLAIN_POSTFIX}:25 inet n - n - - smtpd -o smtpd_tls_security_level=none -o smtpd_sasl_auth_enable=yes`],
        listens: [{ host: PLAIN_POSTFIX, port: 25 }],
      }),
    );
    const servicePorts = structuredClone(farm.servicePorts);
    servicePorts.imap!.push(dovecot.ports.imap);
    servicePorts.pop3!.push(dovecot.ports.pop3);
    const scanned: Farm = { ...farm, addresses: [...farm.addresses, PLAIN_DOVECOT, PLAIN_POSTFIX], servicePorts };
    return { farm: scanned, logs: () => [farm!.logs(), ...daemons.map((d) => d.output())].join('\n'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
