/**
 * The kiosk-config: one JSON file per booth (DESIGN §7). Validated by zod; a
 * bad file gets a ConfigError naming the file, the field and what is expected.
 */
import { z } from 'zod';
import { DeviceKind } from './domain';
import { ConfigError } from './errors';
import { MediaSelection } from './media-devices';
import { Language } from './session-view';
import { plainRemoteLink } from './transport';

const hexId = z.union([
  z.number().int().min(0).max(0xffff),
  z.string().regex(/^0x[0-9a-fA-F]{1,4}$/, 'a USB id such as "0x1209"').transform((s) => Number.parseInt(s, 16)),
]);

const SerialConnection = z.object({
  type: z.literal('serial'),
  /** An explicit path (ptys are never listed by SerialPort.list()). */
  path: z.string().min(1).optional(),
  vendorId: hexId.optional(),
  productId: hexId.optional(),
  baudRate: z.number().int().positive().default(115200),
}).refine((c) => c.path !== undefined || (c.vendorId !== undefined && c.productId !== undefined), {
  message: 'a "path" or both "vendorId" and "productId"',
});

const HidConnection = z.object({
  type: z.literal('hid'),
  vendorId: hexId,
  productId: hexId,
  path: z.string().optional(),
});

/** Demo and tests: the host runs the device's simulator itself. */
const SimulatedConnection = z.object({
  type: z.literal('simulated'),
  scenario: z.string().default('normal'),
});

/**
 * The instruments a driver reads (serial or HID); the otoscope and the
 * stethoscope are a camera and a microphone, chosen in `media`.
 */
const DriverKind = DeviceKind.extract(['thermometer', 'bp-cuff', 'oximeter', 'dermatoscope'], {
  error: (issue) => (issue.input === 'otoscope' || issue.input === 'stethoscope'
    ? `the ${String(issue.input)} is a ${issue.input === 'otoscope' ? 'camera' : 'microphone'}: name it in "media".${String(issue.input)}, not in "devices"`
    : undefined),
});

export const DeviceConfig = z.object({
  id: z.string().min(1),
  kind: DriverKind,
  label: z.string().optional(),
  connection: z.discriminatedUnion('type', [SerialConnection, HidConnection, SimulatedConnection]),
});
export type DeviceConfig = z.infer<typeof DeviceConfig>;

// "24:00" closes at midnight: a booth open all day is [["00:00", "24:00"]].
const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time "HH:MM"');
const DayHours = z.array(z.tuple([hhmm, hhmm])).default([]);

export const OpeningHours = z.object({
  timeZone: z.string().default('Europe/Paris'),
  mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours,
});
export type OpeningHours = z.infer<typeof OpeningHours>;



const hubUrl = z.url({ protocol: /^(wss?|https?)$/, error: 'a URL such as "wss://hub.example.fr" (ws:// only on loopback)' });
/** Enough for a network's nodes; past it, the last node is tried too late after the first one fails. */
export const MAX_FALLBACK_URLS = 8;

export const KioskConfig = z.object({
  boothId: z.string().min(1),
  pharmacy: z.object({ name: z.string().min(1), city: z.string().min(1) }),
  hub: z.object({
    /** The preferred hub node: the booth starts there. */
    url: hubUrl,
    /**
     * Other nodes of the same network, tried in turn after the preferred one
     * when the node in use cannot be reached or drops (src/host/hub-link.ts).
     */
    fallbackUrls: z.array(hubUrl).max(MAX_FALLBACK_URLS, `at most ${MAX_FALLBACK_URLS} other nodes (a booth tries them in turn; behind one address, name the load balancer in "url" instead)`).default([]),
    /**
     * The authority (PEM file) that signed the hub's certificate, when it is
     * not one the system trusts (a network's own PKI). Certificates are
     * always checked.
     */
    caFile: z.string().min(1).optional(),
    /** The booth's secret; held by the host only, never sent to the renderer. */
    token: z.string().min(16, 'a secret of at least 16 characters'),
  }),
  languages: z.array(Language).min(1).default(['fr', 'en']),
  devices: z.array(DeviceConfig).default([]),
  /**
   * Which camera and microphone play which part (src/shared/media-devices.ts):
   * a label pattern and/or a USB id per role. The patient's camera and
   * microphone are the default devices when not named; an instrument's never is.
   */
  media: MediaSelection.default({}),
  openingHours: OpeningHours.default({
    timeZone: 'Europe/Paris',
    mon: [['08:30', '19:30']], tue: [['08:30', '19:30']], wed: [['08:30', '19:30']], thu: [['08:30', '19:30']],
    fri: [['08:30', '19:30']], sat: [['09:00', '19:00']], sun: [],
  }),
  session: z.object({
    inactivityPromptSeconds: z.number().int().positive().default(60),
    wipeAfterPromptSeconds: z.number().int().positive().default(30),
  }).default({ inactivityPromptSeconds: 60, wipeAfterPromptSeconds: 30 }),
  assistant: z.object({
    /** `scrypt$N$r$p$saltB64$hashB64` — never the PIN itself. */
    pinHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'a PIN hash made by `npm run pin-hash`'),
    maxTries: z.number().int().positive().default(5),
    lockoutMinutes: z.number().positive().default(5),
  }),
  store: z.object({
    path: z.string().default('.cabine/booth.db'),
    keyFile: z.string().default('.cabine/booth.key'),
    retentionDays: z.number().int().positive().default(30),
    /** A new data key on this schedule (90 days when absent); rows on the old one are re-sealed in the background (docs/store.md). */
    rotateKeyEveryDays: z.number().int().min(1).max(3650).optional(),
  }).default({ path: '.cabine/booth.db', keyFile: '.cabine/booth.key', retentionDays: 30 }),
  update: z.object({
    channel: z.enum(['stable', 'beta']).default('stable'),
    checkEveryHours: z.number().positive().default(4),
    idleMinutesBeforeInstall: z.number().positive().default(30),
  }).default({ channel: 'stable', checkEveryHours: 4, idleMinutesBeforeInstall: 30 }),
  accessibility: z.object({
    speech: z.boolean().default(true),
    textScale: z.number().min(1).max(2).default(1),
  }).default({ speech: true, textScale: 1 }),
  /**
   * Where a prescription goes (consult-protocol `consult.prescription`): a
   * printer command that reads the PDF on stdin (`["lp", "-d", "comptoir"]`),
   * or a directory where the PDF is saved (mode 0600) for the session only:
   * it is health data in clear, deleted at the privacy wipe.
   */
  printer: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('file'), dir: z.string().min(1).default('.cabine/prints') }).strict(),
    z.object({ kind: z.literal('command'), command: z.array(z.string().min(1)).min(1, 'a command and its arguments, e.g. ["lp", "-d", "comptoir"]') }).strict(),
  ]).default({ kind: 'file', dir: '.cabine/prints' }),
  /**
   * The booth's local alert to the pharmacy: a chime from the booth's own
   * speakers (on by default; the volume is the chime's share of the system
   * volume), and how long a call may stay "reconnecting" without a hub before
   * the pharmacist is called.
   */
  alert: z.object({
    chime: z.object({
      enabled: z.boolean().default(true),
      volume: z.number().min(0.1, 'a volume from 0.1 to 1 (to switch the chime off, set "enabled": false)').max(1).default(1),
    }).strict().default({ enabled: true, volume: 1 }),
    reconnectAlertSeconds: z.number().positive().max(600).default(30),
  }).strict().default({ chime: { enabled: true, volume: 1 }, reconnectAlertSeconds: 30 }),
  kiosk: z.object({
    /** Loopback port of the WebSocket transport; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(0),
    /**
     * The touch screen's diagonal in inches: with the viewport's pixels it
     * gives the pixel density, so text and targets keep their physical size
     * on a dense screen. 21.5 is the commonest booth screen.
     */
    screenDiagonalInches: z.number().min(7, 'a screen diagonal in inches, from 7 to 100').max(100, 'a screen diagonal in inches, from 7 to 100').default(21.5),
  }).default({ port: 0, screenDiagonalInches: 21.5 }),
}).strict();
export type KioskConfig = z.infer<typeof KioskConfig>;

/** Turns zod issues into `{ path, expected }` a person can act on. */
export function describeIssues(error: z.ZodError, raw?: unknown): { path: string; expected: string }[] {
  const valueAt = (path: PropertyKey[]): unknown =>
    path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    let expected = issue.message;
    if (issue.code === 'invalid_value' && 'values' in issue) {
      expected = `one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      // A schema's own message says more than the list (where the value belongs instead).
      if (!issue.message.startsWith('Invalid option')) expected += ` (${issue.message})`;
    } else if (issue.code === 'invalid_type') {
      expected = `expected ${issue.expected}${valueAt(issue.path) === undefined ? ' (missing)' : ''}`;
    } else if (issue.code === 'unrecognized_keys') {
      expected = `unknown field(s) ${issue.keys.join(', ')}: remove or correct the spelling`;
    } else if (valueAt(issue.path) === undefined && issue.path.length > 0) {
      expected = `${issue.message} (missing)`;
    } else if (issue.code === 'invalid_union' && path.endsWith('connection')) {
      expected = 'a connection with "type": "serial", "hid" or "simulated"';
    }
    return { path, expected };
  });
}

/** Validates an already-parsed config object. */
export function parseKioskConfig(raw: unknown, file = '(inline)'): KioskConfig {
  const result = KioskConfig.safeParse(raw);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error, raw), result.error);
  const cfg = result.data;
  const nodes = [{ path: 'hub.url', url: new URL(cfg.hub.url) }, ...cfg.hub.fallbackUrls.map((u, i) => ({ path: `hub.fallbackUrls[${i}]`, url: new URL(u) }))];
  nodes.forEach(({ path, url }, i) => {
    const plain = plainRemoteLink(url.href);
    if (plain) throw new ConfigError(file, [{ path, expected: plain }]);
    const first = nodes.findIndex((n) => n.url.href === url.href);
    if (first < i) throw new ConfigError(file, [{ path, expected: `another hub node (${nodes[first]!.path} is the same one)` }]);
  });
  const ids = new Set<string>();
  cfg.devices.forEach((d, i) => {
    if (ids.has(d.id)) throw new ConfigError(file, [{ path: `devices[${i}].id`, expected: `a unique id ("${d.id}" is used twice)` }]);
    ids.add(d.id);
  });
  const dermatoscope = cfg.devices.findIndex((d) => d.kind === 'dermatoscope');
  if (dermatoscope >= 0 && !cfg.media.dermatoscope) {
    throw new ConfigError(file, [{
      path: 'media.dermatoscope',
      expected: `the dermatoscope's camera (devices[${dermatoscope}] is a dermatoscope): a "label" pattern and/or a "usb" id such as "0c45:6366"`,
    }]);
  }
  return cfg;
}
