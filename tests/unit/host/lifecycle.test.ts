/**
 * The host's stop: when its promise settles, every device is closed (a
 * serial port or a HID handle left open would refuse the next start).
 */
import { describe, expect, it } from 'vitest';
import { FakeDriver } from '../../../devices/drivers/fake-driver';
import { Host } from '../../../src/host/host';
import { createLogger } from '../../../src/node/logger';
import { testConfig } from '../../helpers/config';

/** A device whose closing takes as long as the test says. */
class SlowToCloseDriver extends FakeDriver {
  closed = false;
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => { this.release = resolve; });

  override async stop(): Promise<void> {
    await this.gate;
    await super.stop();
    this.closed = true;
  }

  finishClosing(): void {
    this.release();
  }
}

const settled = async (promise: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void promise.then(() => { done = true; });
  // Let every other part of the stop run to its end.
  for (let i = 0; i < 10; i += 1) await new Promise((r) => setImmediate(r));
  return done;
};

describe('host stop', () => {
  it('resolves only once every device is closed', async () => {
    const thermometer = new SlowToCloseDriver('thermometer-1', 'thermometer');
    const host = new Host(testConfig(), createLogger('test'), { drivers: [thermometer] });
    host.start();
    await new Promise((r) => setImmediate(r));

    const stopping = host.stop();
    expect(await settled(stopping)).toBe(false);
    thermometer.finishClosing();
    await stopping;
    expect(thermometer.closed).toBe(true);
  });
});
