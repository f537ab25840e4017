const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escape text for HTML content and quoted attribute values. Record data is
 * server-controlled (banners, subject DNs, mechanism names): everything that
 * is not markup we wrote goes through here. Control characters other than
 * tab and newline become U+FFFD so a hostile byte cannot confuse a reader.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this replaces
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}
