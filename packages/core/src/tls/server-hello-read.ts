import { readExtensionBlock } from './extension-view.js';
import { HRR_RANDOM } from './names.js';
import { parseServerHello, type ServerHello } from './server-messages.js';

/**
 * A ServerHello body read with plain offsets (no reader objects, a view of an extension's bytes
 * made only when asked for), for the passive follower, where every connection has one. A body
 * that does not read whole so (a length past its bounds, trailing bytes, a repeated extension) is
 * read by parseServerHello, the engine's checked reader, which fails it with its error and offset;
 * what this returns is what that would return.
 */
export function readServerHello(b: Buffer): ServerHello {
  const n = b.length;
  if (n >= 35) {
    const sidEnd = 35 + b[34]!;
    if (b[34]! <= 32 && sidEnd + 3 <= n) {
      const extensions = sidEnd + 3 === n ? [] : readExtensionBlock(b, sidEnd + 3);
      if (extensions) {
        let isHelloRetry = true;
        for (let i = 0; i < 32 && isHelloRetry; i++) isHelloRetry = b[2 + i] === HRR_RANDOM[i];
        return {
          legacyVersion: (b[0]! << 8) | b[1]!,
          random: b.subarray(2, 34),
          sessionId: b.subarray(35, sidEnd),
          cipherSuite: (b[sidEnd]! << 8) | b[sidEnd + 1]!,
          compression: b[sidEnd + 2]!,
          extensions,
          isHelloRetry,
        };
      }
    }
  }
  return parseServerHello(b);
}
