import { DEFAULT_DNS, DnsClient, type MxHost } from './dns-client.js';

/**
 * A DNS client that sends nothing: every lookup fails (the source skips and counts
 * the name) and the name is remembered. `wildtls targets` uses it unless asked to
 * resolve, so listing targets never queries a resolver behind the user's back.
 */
export class NoDnsClient extends DnsClient {
  /** Names a source asked for, in order, once each. */
  readonly asked = new Set<string>();

  constructor() {
    super(DEFAULT_DNS);
  }

  override addresses(name: string): Promise<string[]> {
    return this.refuse(name);
  }

  override mx(name: string): Promise<MxHost[]> {
    return this.refuse(name);
  }

  private refuse(name: string): Promise<never> {
    this.asked.add(name);
    return Promise.reject(new Error('not resolved: no DNS query is sent without --resolve'));
  }
}
