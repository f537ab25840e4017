import type { CaptureStats } from '@wildtls/core';

/** The statistics printed after `wildtls passive` (counting rules: per packet, per TCP connection). */
export function formatPassiveSummary(s: CaptureStats, records: number, elapsedMs: number): string {
  const skipped = Object.entries(s.skippedLinkTypes).map(([t, n]) => `${t}: ${n}`).join(', ');
  return [
    `wildtls passive: ${s.packets} packets (${s.bytes} bytes captured${s.bytesNotRead ? `, ${s.bytesNotRead} of them not read: payload nobody follows` : ''}) in ${s.files} capture${s.files === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s`,
    `  TCP connections on watched ports: ${s.flows}, followed: ${s.flowsWatched}, records written: ${records}`,
    `  skipped packets: link types not decoded ${skipped || 'none'}; not IP ${s.nonIp}; not TCP ${s.nonTcp}; IP fragments after the first ${s.fragmentsSkipped}`,
    `  truncated: packets cut inside their headers ${s.truncatedPackets}, payloads cut by the snap length ${s.snaplenCut}, captures ending mid-record ${s.truncatedFiles}`,
    `  holes in the capture: ${s.gaps} (${s.gapBytes} bytes)${s.evictedFlows ? `; connections ended early by the flow table or buffer caps: ${s.evictedFlows}` : ''}${s.handlerErrors ? `; flow handler errors (our bug, see the log): ${s.handlerErrors}` : ''}`,
  ].join('\n');
}
