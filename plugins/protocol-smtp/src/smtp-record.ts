/** What the SMTP dialog adds to a record, under the plugin's own key `smtp`. */
export interface SmtpRecord {
  /** Text of the first line of the EHLO (or HELO) reply: the server's name and greeting, per phase. */
  ehloGreeting?: { beforeTls?: string; afterTls?: string };
  /**
   * Present when the server refused EHLO and the dialog fell back to HELO:
   * the server's exact reply to EHLO, per phase. HELO carries no extensions,
   * so such a server offers no STARTTLS and no SASL.
   */
  heloFallback?: { beforeTls?: string; afterTls?: string };
}

declare module '@wildtls/core' {
  interface ProbeRecordExtensions {
    smtp?: SmtpRecord;
  }
}
