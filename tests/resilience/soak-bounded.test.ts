/**
 * The soak's bounded form (`npm run soak` runs 1,000 sessions): 60 complete
 * sessions through a real host and hub, one of them a real two-page Chromium
 * call, the others fed by a loopback RTP sender. No memory slope here (too
 * few sessions to fit one honestly); it proves the session loop itself:
 * every reading shown reaches the hub record exactly once, the SFU forwards
 * media for every call, and file descriptors do not pile up.
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../scripts/soak-core';

describe('soak, bounded', () => {
  it('60 complete sessions lose and duplicate no reading, forward media on every call, and leak no file descriptors', async () => {
    const r = await runSoak({ sessions: 60, realCallEvery: 50, sampleEvery: 10, warmup: 20 });
    expect(r.realCalls).toBe(1);
    expect(r.rtpCalls).toBe(59);
    expect(r.rtpBytesForwarded).toBeGreaterThan(0);
    // Each session took at least two temperatures and one blood pressure (plus the cuff's live pressures).
    expect(r.readingsShown).toBeGreaterThanOrEqual(60 * 3);
    expect({ lost: r.lost, duplicated: r.duplicated, inRecord: r.readingsInRecord }).toEqual({ lost: 0, duplicated: 0, inRecord: r.readingsShown });
    // Descriptors after warm-up stay within a handful (sockets and ptys come and go between samples).
    expect(r.fdSpreadAfterWarmup).toBeLessThanOrEqual(12);
  }, 600_000);
});
