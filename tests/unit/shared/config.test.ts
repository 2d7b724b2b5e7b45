import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKioskConfig } from '../../../src/node/config-file';
import { parseKioskConfig } from '../../../src/shared/config';
import { ConfigError } from '../../../src/shared/errors';
import { DEFAULT_CONFIG_PATH, rawDefaultConfig } from '../../helpers/config';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cabine-config-')), 'booth.json');
  writeFileSync(file, text);
  return file;
}

describe('kiosk-config', () => {
  it('loads the shipped demo config with its defaults filled in', () => {
    const cfg = loadKioskConfig(DEFAULT_CONFIG_PATH);
    expect(cfg.boothId).toBe('demo-booth-1');
    expect(cfg.session.inactivityPromptSeconds).toBe(60);
    expect(cfg.session.wipeAfterPromptSeconds).toBe(30);
    expect(cfg.assistant.maxTries).toBe(5);
    expect(cfg.store.retentionDays).toBe(30);
    expect(cfg.update.checkEveryHours).toBe(4);
    expect(cfg.openingHours.timeZone).toBe('Europe/Paris');
    expect(cfg.devices.map((d) => d.kind).sort()).toEqual(['bp-cuff', 'dermatoscope', 'oximeter', 'thermometer']);
  });

  it("gives the kiosk's screen a diagonal (a common booth screen by default) and refuses one no booth has", () => {
    expect(parseKioskConfig(rawDefaultConfig()).kiosk.screenDiagonalInches).toBe(21.5);
    expect(parseKioskConfig({ ...rawDefaultConfig(), kiosk: { screenDiagonalInches: 32 } }).kiosk.screenDiagonalInches).toBe(32);
    const error = configError(() => parseKioskConfig({ ...rawDefaultConfig(), kiosk: { screenDiagonalInches: 2 } }));
    expect(error.issues.map((i) => i.path)).toContain('kiosk.screenDiagonalInches');
  });

  it('names the file and the JSON error for a file that is not JSON', () => {
    const file = writeTemp('{ "boothId": "x", ');
    const error = configError(() => loadKioskConfig(file));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(file);
    expect(error.issues[0]!.expected).toMatch(/valid JSON/);
  });

  it('names the field and the expected type for a value of the wrong type', () => {
    const raw = rawDefaultConfig();
    (raw.session as Record<string, unknown>).inactivityPromptSeconds = 'sixty';
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    expect(error.issues).toContainEqual({ path: 'session.inactivityPromptSeconds', expected: expect.stringMatching(/number/) });
    expect(error.message).toContain('booth.json');
    expect(error.message).toContain('session.inactivityPromptSeconds');
  });

  it('lists the accepted kinds for an unknown device kind', () => {
    const raw = rawDefaultConfig();
    (raw.devices as Record<string, unknown>[])[1]!.kind = 'glucometer';
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    const issue = error.issues.find((i) => i.path === 'devices[1].kind');
    expect(issue?.expected).toContain('"thermometer"');
    expect(issue?.expected).toContain('"bp-cuff"');
  });

  it('sends a stethoscope named among the devices to the media section', () => {
    const raw = rawDefaultConfig();
    (raw.devices as Record<string, unknown>[])[1]!.kind = 'stethoscope';
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    const issue = error.issues.find((i) => i.path === 'devices[1].kind');
    expect(issue?.expected).toContain('"media".stethoscope');
  });

  it('reports a missing hub URL as missing', () => {
    const raw = rawDefaultConfig();
    delete (raw.hub as Record<string, unknown>).url;
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    expect(error.issues).toContainEqual({ path: 'hub.url', expected: expect.stringMatching(/missing/) });
  });

  it('refuses an unencrypted hub URL outside loopback', () => {
    const raw = rawDefaultConfig();
    (raw.hub as Record<string, unknown>).url = 'ws://hub.example.fr/booth';
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    expect(error.issues[0]).toMatchObject({ path: 'hub.url', expected: expect.stringMatching(/wss:\/\//) });
  });

  it('takes other hub nodes to fail over to, none by default', () => {
    expect(parseKioskConfig(rawDefaultConfig()).hub.fallbackUrls).toEqual([]);
    const hub = { ...(rawDefaultConfig().hub as object), url: 'wss://hub-a.example.fr/booth', fallbackUrls: ['wss://hub-b.example.fr/booth', 'wss://hub-c.example.fr:8443/booth'] };
    expect(parseKioskConfig({ ...rawDefaultConfig(), hub }).hub.fallbackUrls).toEqual(['wss://hub-b.example.fr/booth', 'wss://hub-c.example.fr:8443/booth']);
  });

  it('names the other node that is not a URL, or unencrypted outside loopback', () => {
    const hub = (fallbackUrls: unknown): object => ({ ...(rawDefaultConfig().hub as object), url: 'wss://hub-a.example.fr/booth', fallbackUrls });
    const notUrl = configError(() => parseKioskConfig({ ...rawDefaultConfig(), hub: hub(['wss://hub-b.example.fr/booth', 'hub-c']) }, 'booth.json'));
    expect(notUrl.issues).toContainEqual({ path: 'hub.fallbackUrls[1]', expected: expect.stringMatching(/wss:\/\/hub\.example\.fr/) });
    const plain = configError(() => parseKioskConfig({ ...rawDefaultConfig(), hub: hub(['ws://hub-b.example.fr/booth']) }, 'booth.json'));
    expect(plain.issues).toEqual([{ path: 'hub.fallbackUrls[0]', expected: expect.stringMatching(/wss:\/\/.*loopback/) }]);
    expect(plain.message).toContain('booth.json');
    expect(parseKioskConfig({ ...rawDefaultConfig(), hub: { ...hub([]), url: 'ws://127.0.0.1:9000/booth', fallbackUrls: ['ws://127.0.0.1:9001/booth'] } }).hub.fallbackUrls).toHaveLength(1);
  });

  it('refuses a hub node named twice, and more other nodes than a booth can try in turn', () => {
    const hub = (fallbackUrls: string[]): object => ({ ...(rawDefaultConfig().hub as object), url: 'wss://hub-a.example.fr/booth', fallbackUrls });
    const again = configError(() => parseKioskConfig({ ...rawDefaultConfig(), hub: hub(['wss://hub-b.example.fr/booth', 'wss://hub-a.example.fr:443/booth']) }));
    expect(again.issues).toEqual([{ path: 'hub.fallbackUrls[1]', expected: expect.stringContaining('hub.url') }]);
    const twice = configError(() => parseKioskConfig({ ...rawDefaultConfig(), hub: hub(['wss://hub-b.example.fr/booth', 'wss://hub-b.example.fr/booth']) }));
    expect(twice.issues).toEqual([{ path: 'hub.fallbackUrls[1]', expected: expect.stringContaining('hub.fallbackUrls[0]') }]);
    const many = configError(() => parseKioskConfig({ ...rawDefaultConfig(), hub: hub(Array.from({ length: 9 }, (_, i) => `wss://hub-${i}.example.fr/booth`)) }));
    expect(many.issues).toEqual([{ path: 'hub.fallbackUrls', expected: expect.stringMatching(/at most 8/) }]);
  });

  it('refuses a misspelt top-level field instead of ignoring it', () => {
    const raw = { ...rawDefaultConfig(), devicse: [] };
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    expect(error.issues[0]!.expected).toContain('devicse');
  });

  it('refuses two devices with the same id', () => {
    const raw = rawDefaultConfig();
    const devices = raw.devices as Record<string, unknown>[];
    devices[1]!.id = devices[0]!.id;
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    expect(error.issues[0]!.path).toBe('devices[1].id');
  });

  it('requires a path or a USB vendor and product id for a serial device', () => {
    const raw = rawDefaultConfig();
    (raw.devices as Record<string, unknown>[])[0]!.connection = { type: 'serial' };
    const error = configError(() => parseKioskConfig(raw, 'booth.json'));
    expect(error.issues[0]).toMatchObject({ path: 'devices[0].connection', expected: expect.stringMatching(/path/) });
  });

  it('reads USB ids written in hexadecimal', () => {
    const raw = rawDefaultConfig();
    (raw.devices as Record<string, unknown>[])[2]!.connection = { type: 'hid', vendorId: '0x1209', productId: '0xC0B1' };
    const cfg = parseKioskConfig(raw, 'booth.json');
    expect(cfg.devices[2]!.connection).toMatchObject({ vendorId: 0x1209, productId: 0xc0b1 });
  });
});

describe('kiosk-config: the local alert', () => {
  it('chimes by default at full volume and calls the pharmacist after 30 s without a hub', () => {
    const cfg = loadKioskConfig(DEFAULT_CONFIG_PATH);
    expect(cfg.alert).toEqual({ chime: { enabled: true, volume: 1 }, reconnectAlertSeconds: 30 });
  });

  it('takes the chime switched off or quieter, and another bound', () => {
    const cfg = parseKioskConfig({ ...rawDefaultConfig(), alert: { chime: { enabled: false }, reconnectAlertSeconds: 45 } });
    expect(cfg.alert).toEqual({ chime: { enabled: false, volume: 1 }, reconnectAlertSeconds: 45 });
    expect(parseKioskConfig({ ...rawDefaultConfig(), alert: { chime: { volume: 0.5 } } }).alert.chime).toEqual({ enabled: true, volume: 0.5 });
  });

  it('names the field of a silent volume and says how to switch the chime off instead', () => {
    const error = configError(() => parseKioskConfig({ ...rawDefaultConfig(), alert: { chime: { volume: 0 } } }));
    expect(error.message).toContain('alert.chime.volume');
    expect(error.message).toContain('"enabled": false');
  });
});

describe('kiosk-config: which camera and microphone play which part', () => {
  it("selects the demo's dermatoscope and otoscope among Chromium's fake cameras and leaves the patient's to the default", () => {
    const cfg = loadKioskConfig(DEFAULT_CONFIG_PATH);
    expect(cfg.media.dermatoscope).toEqual({ label: '^fake_device_2$' });
    expect(cfg.media.otoscope).toEqual({ label: '^fake_device_3$' });
    expect(cfg.media.patientCamera).toBeUndefined();
    expect(cfg.media.patientMicrophone).toBeUndefined();
  });

  it('takes a label pattern, a USB id, or both, for each role', () => {
    const media = {
      patientCamera: { label: 'C920' },
      patientMicrophone: { label: 'Jabra' },
      dermatoscope: { usb: '0c45:6366' },
      otoscope: { label: 'Otoscope', usb: '1BCF:2C99' },
      stethoscope: { usb: '0d8c:0014' },
    };
    expect(parseKioskConfig({ ...rawDefaultConfig(), media }).media).toEqual(media);
  });

  it('names the field of a label that is not a regular expression', () => {
    const error = configError(() => parseKioskConfig({ ...rawDefaultConfig(), media: { dermatoscope: { label: 'Derm(' } } }, 'booth.json'));
    expect(error.issues).toContainEqual({ path: 'media.dermatoscope.label', expected: expect.stringMatching(/regular expression/) });
    expect(error.message).toContain('booth.json');
  });

  it('names the field of a USB id that is not vendor:product in hexadecimal', () => {
    for (const usb of ['046d-0825', '46d:825', '0x046d:0x0825', 'g46d:0825']) {
      const error = configError(() => parseKioskConfig({ ...rawDefaultConfig(), media: { dermatoscope: { label: 'x' }, otoscope: { usb } } }));
      expect(error.issues).toContainEqual({ path: 'media.otoscope.usb', expected: expect.stringMatching(/046d:0825/) });
    }
  });

  it('refuses a selector with nothing to select by, and a role it does not know', () => {
    const empty = configError(() => parseKioskConfig({ ...rawDefaultConfig(), media: { dermatoscope: {} } }));
    expect(empty.issues).toContainEqual({ path: 'media.dermatoscope', expected: expect.stringMatching(/"label".*"usb"/) });
    const unknown = configError(() => parseKioskConfig({ ...rawDefaultConfig(), media: { dermatoscope: { label: 'x' }, endoscope: { label: 'x' } } }));
    expect(unknown.issues[0]).toMatchObject({ path: 'media', expected: expect.stringContaining('endoscope') });
  });

  it("wants the dermatoscope's camera named when a dermatoscope is installed", () => {
    const error = configError(() => parseKioskConfig({ ...rawDefaultConfig(), media: {} }, 'booth.json'));
    expect(error.issues).toContainEqual({ path: 'media.dermatoscope', expected: expect.stringMatching(/camera/) });
    expect(parseKioskConfig({ ...rawDefaultConfig(), devices: [], media: {} }).media).toEqual({});
  });

  it('points an otoscope written among the driven devices to media.otoscope: it is a camera', () => {
    const error = configError(() => parseKioskConfig({ ...rawDefaultConfig(), devices: [{ id: 'oto-1', kind: 'otoscope', connection: { type: 'simulated' } }] }, 'booth.json'));
    expect(error.issues).toContainEqual({ path: 'devices[0].kind', expected: expect.stringContaining('"media".otoscope') });
  });
});
