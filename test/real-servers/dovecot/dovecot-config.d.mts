export interface DovecotSettings {
  dir: string;
  ip: string;
  ports: { imap: number; imaps: number; pop3: number; pop3s: number };
  ssl: boolean;
  disablePlaintextAuth: boolean;
  mechanisms: string[];
  minTls?: string;
  opensslConf?: string;
}
export function dovecotConfig(s: DovecotSettings): string;
export function opensslMaxProtocolConf(maxProtocol: string): string;
