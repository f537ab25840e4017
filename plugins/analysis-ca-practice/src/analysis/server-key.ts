/**
 * Compact keys for "distinct server" sets: an IPv4 address and port packed
 * into one number (a million servers cost a few MB instead of a few hundred),
 * anything else as a string.
 */
export function serverKey(ip: string, port: number): number | string {
  const v4 = ipv4ToNumber(ip);
  return v4 === undefined ? `${ip}|${port}` : v4 * 65536 + port;
}

function ipv4ToNumber(ip: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return n * 256 + part;
}

/** numerator / denominator, or null when nothing was counted. */
export function share(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}
