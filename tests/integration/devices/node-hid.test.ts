import { describe, expect, it } from 'vitest';
import { loadNodeHid, nodeHidBackend } from '../../../devices/drivers/hid/device';

describe('node-hid binding', () => {
  it('loads the native binding and devices() returns an array', async () => {
    expect(typeof loadNodeHid().HID).toBe('function');
    const list = await nodeHidBackend.devices();
    expect(Array.isArray(list)).toBe(true);
  });
});
