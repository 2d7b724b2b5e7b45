/**
 * `npm run sim -- <device> [scenario]`: runs a simulated instrument.
 * Serial devices (thermometer, bp-cuff): a socat pty pair in a temporary
 * folder, the simulator on one end; prints `DEVICE_PATH=<other end>` for a
 * driver (or `kiosk-config` "serial" with that "path") to open.
 * HID devices (oximeter, dermatoscope): no virtual HID exists, so the
 * simulator runs through the fake HID bus with the real driver and prints
 * the report bytes and the readings.
 * The stethoscope (`npm run sim -- stethoscope <file.wav> [bpm] [murmur]`):
 * a microphone, so its simulator is a WAV of heart sounds for Chromium's
 * `--use-file-for-fake-audio-capture`.
 */
import { DeviceKind } from '../src/shared/domain';
import { BP_SCENARIOS, BpCuffSimulator } from './drivers/bp-cuff/simulator';
import { DERMATOSCOPE_SCENARIOS } from './drivers/dermatoscope/simulator';
import { OXIMETER_SCENARIOS } from './drivers/oximeter/simulator';
import { THERMOMETER_SCENARIOS, ThermometerSimulator } from './drivers/thermometer/simulator';
import { writeHeartSoundWav } from './drivers/stethoscope/simulator';
import { PtySimulation, simulatedHidDevice } from './simulated';

const SCENARIOS = { thermometer: THERMOMETER_SCENARIOS, 'bp-cuff': BP_SCENARIOS, oximeter: OXIMETER_SCENARIOS, dermatoscope: DERMATOSCOPE_SCENARIOS } as const;
/** The instruments simulated here; the otoscope and the stethoscope are a camera and a microphone, fed to the browser instead. */
const SimulatedKind = DeviceKind.extract(['thermometer', 'bp-cuff', 'oximeter', 'dermatoscope']);

function usage(): never {
  const lines = Object.entries(SCENARIOS).map(([k, v]) => `  ${k}: ${v.join(', ')}`);
  process.stderr.write(`usage: npm run sim -- <device> [scenario]\n${lines.join('\n')}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'stethoscope') {
    const [, file, bpm, murmur] = argv;
    if (!file) {
      process.stderr.write('usage: npm run sim -- stethoscope <file.wav> [bpm] [murmur]\n');
      process.exit(2);
    }
    const used = writeHeartSoundWav(file, { ...(bpm ? { bpm: Number(bpm) } : {}), murmur: murmur === 'murmur' });
    process.stdout.write(`STETHOSCOPE_WAV=${file} (${used.bpm} /min${used.murmur ? ', murmur' : ''})\n`);
    return;
  }
  const kind = SimulatedKind.safeParse(argv[0]);
  if (!kind.success) usage();
  const scenario = argv[1] ?? 'normal';
  if (!(SCENARIOS[kind.data] as readonly string[]).includes(scenario)) usage();

  let stop: () => Promise<void>;
  if (kind.data === 'thermometer' || kind.data === 'bp-cuff') {
    const sim = kind.data === 'thermometer' ? new ThermometerSimulator({ scenario, autoEveryMs: 15_000 }) : new BpCuffSimulator({ scenario });
    const pty = new PtySimulation(sim, scenario === 'unplug-replug' ? { unplugEveryMs: 20_000, unpluggedForMs: 4000 } : {});
    await pty.start();
    process.stdout.write(`DEVICE_PATH=${pty.devicePath}\n`);
    process.stdout.write(`${kind.data} (${scenario}) speaking on ${pty.simulatorPath}; Ctrl-C to stop\n`);
    stop = () => pty.stop();
  } else {
    const device = simulatedHidDevice(kind.data, { id: `${kind.data}-sim`, scenario });
    device.on('status', (s) => process.stdout.write(`status ${s.state}${s.error ? ` ${s.error.code}` : ''}\n`));
    device.on('reading', (r) => process.stdout.write(`reading ${r.kind} ${r.values.map((v) => `${v.value} ${v.unit}`).join(', ')} [${r.flags.join(',')}]\n`));
    device.on('error', (e) => process.stdout.write(`error ${e.code}: ${e.userMessage.fr}\n`));
    device.onCapture((c) => process.stdout.write(`capture ${c.polarisation}\n`));
    await device.start();
    stop = () => device.stop();
  }
  const shutdown = (): void => void stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main(process.argv.slice(2));
