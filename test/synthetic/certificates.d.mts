export interface Keys {
  alg: Record<string, unknown>;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
  node: import('node:crypto').KeyObject;
}
export interface Issued {
  name: unknown;
  keys: Keys;
  der: Buffer;
  b64: string;
  pem: string;
}
export const KEY_TYPES: string[];
export const CLASSES: Record<string, { issuer: string; send: string[]; expired?: boolean }>;
export function newKey(keyType: string): Promise<Keys>;
export function issue(o: { subject: string | Array<Record<string, string>>; issuer?: Issued; ca?: boolean; keys: Keys; validity: [Date, Date] }): Promise<Issued>;
export function certificateAuthorities(at: Date): Promise<{ root: Issued; intermediate: Issued; untrusted: Issued }>;
export function leafValidity(at: Date, expired?: boolean): [Date, Date];
export function templateOf(cert: Issued, signer: Keys): unknown;
export function mint(template: unknown, n: number): string;
export function sampleChains(o?: { at?: Date; perClass?: number }): Promise<{ at: Date; rootPem: string; chains: Array<{ cls: string; keyType: string; chain: string[] }>; authorities: string[] }>;
