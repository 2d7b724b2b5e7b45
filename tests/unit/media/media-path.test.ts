/**
 * Whether the call has a media path at all, judged on a fake clock: every
 * event carries its time, so the bound and the retries are checked without
 * waiting.
 */
import { describe, expect, it } from 'vitest';
import { PathJudge, type PathSettings } from '../../../src/media/media-path';

const settings: PathSettings = { boundMs: 15_000, quickRestarts: 2, retryMs: 8_000 };
const s = (n: number): number => n * 1000;

describe('the media path judge', () => {
  it('says nothing of a transport that has not started its checks: an idle receive transport is not a blocked one', () => {
    const judge = new PathJudge(settings);
    expect(judge.state(s(0))).toBe('trying');
    judge.start('send', s(0));
    judge.update('send', 'connected', s(1));
    // The receive transport waits for the other side's first producer: a minute later it is still no news.
    expect(judge.state(s(60))).toBe('connected');
  });

  it('calls the path blocked when a transport never connects within the bound, and not a moment before', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    judge.start('recv', s(0));
    judge.update('send', 'connecting', s(0.1));
    expect(judge.state(s(14.9))).toBe('trying');
    expect(judge.nextAt(s(14.9))).toBe(s(15));
    expect(judge.state(s(15))).toBe('blocked');
  });

  it('runs the bound from each transport\'s own start', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    judge.update('send', 'connected', s(2));
    judge.start('recv', s(10));
    expect(judge.state(s(20))).toBe('trying');
    expect(judge.state(s(25))).toBe('blocked');
  });

  it('restarts ICE at once on the first failures, then calls the path blocked once the quick restarts are spent', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    expect(judge.update('send', 'failed', s(3))).toBe('restartIce');
    expect(judge.update('send', 'failed', s(6))).toBe('restartIce');
    expect(judge.state(s(6))).toBe('trying');
    // The third failure, well inside the bound: no restart left.
    expect(judge.update('send', 'failed', s(9))).toBeNull();
    expect(judge.state(s(9))).toBe('blocked');
  });

  it('keeps retrying a blocked transport with an ICE restart every retry interval, so a lifted firewall is found', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    judge.start('recv', s(0));
    judge.update('recv', 'connected', s(1));
    expect(judge.due(s(14))).toEqual([]);
    // Blocked at the bound: the first retry at once, the next a retry interval later, and only for the transport that is not connected.
    expect(judge.due(s(15))).toEqual(['send']);
    expect(judge.due(s(16))).toEqual([]);
    expect(judge.nextAt(s(16))).toBe(s(23));
    expect(judge.due(s(23))).toEqual(['send']);
  });

  it('clears the judgement when the path connects after all, and says connected', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    judge.start('recv', s(0));
    expect(judge.state(s(20))).toBe('blocked');
    judge.update('send', 'connected', s(31));
    expect(judge.state(s(31))).toBe('blocked');
    judge.update('recv', 'connected', s(32));
    expect(judge.state(s(32))).toBe('connected');
    expect(judge.due(s(60))).toEqual([]);
    expect(judge.nextAt(s(60))).toBeNull();
  });

  it('gives a path that was connected its restarts before calling it blocked, however long the line is out', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    judge.update('send', 'connected', s(1));
    // An outage: disconnected, restarted, back; a long one never trips the bound meant for a path that never connected.
    expect(judge.update('send', 'disconnected', s(10))).toBe('restartIce');
    expect(judge.state(s(40))).toBe('trying');
    judge.update('send', 'connected', s(41));
    expect(judge.state(s(41))).toBe('connected');
    // Failures count again from the last connection.
    for (const at of [50, 60]) expect(judge.update('send', 'failed', s(at))).toBe('restartIce');
    expect(judge.state(s(60))).toBe('trying');
    expect(judge.update('send', 'failed', s(70))).toBeNull();
    expect(judge.state(s(70))).toBe('blocked');
  });

  it('forgets a transport that closed with its media path', () => {
    const judge = new PathJudge(settings);
    judge.start('send', s(0));
    expect(judge.state(s(20))).toBe('blocked');
    judge.drop('send');
    expect(judge.state(s(20))).toBe('trying');
    expect(judge.due(s(20))).toEqual([]);
  });

  it('ignores the states of a transport it was never told started, but counts it once it connects', () => {
    const judge = new PathJudge(settings);
    expect(judge.update('recv', 'new', s(0))).toBeNull();
    judge.update('recv', 'connecting', s(1));
    // 'connecting' is a start: the bound runs from it.
    expect(judge.state(s(15.5))).toBe('trying');
    expect(judge.state(s(16))).toBe('blocked');
  });
});
