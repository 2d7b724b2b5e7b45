/**
 * Extra build steps, run by scripts/build.mjs.
 *
 * `speech`: the kiosk's spoken guidance. `speechSynthesis` is silent in
 * headless Chromium and on many booth images, so every spoken message of the
 * kiosk catalogue (src/renderer/kiosk/src/i18n.ts: `speak.*`, `guide.*`,
 * `recovery.*`) is pre-rendered to WAV with espeak-ng into the kiosk's
 * public/audio/<lang>/<key>.wav, which Vite copies into the build. A stamp
 * file keeps the text and voice of each WAV: unchanged prompts are not
 * rendered again.
 *
 * `chime`: the booth's local alert ("nous prévenons le pharmacien"), a
 * doorbell's two falling notes rung twice, synthesised with sox into
 * public/audio/chime.wav (the kiosk falls back to a WebAudio tone without it).
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** espeak-ng voices; a slow, clear rate for elderly listeners. */
const VOICES = { fr: { voice: 'fr-fr', speed: 135 }, en: { voice: 'en-gb', speed: 135 } };

async function loadCatalogue(root) {
  const out = await build({
    entryPoints: [join(root, 'src/renderer/kiosk/src/i18n.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'warning',
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

async function renderSpeech({ root }) {
  const espeak = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  const dir = join(root, 'src/renderer/kiosk/public/audio');
  if (espeak.status !== 0) {
    // The kiosk still works (silently); say so loudly rather than fail the build.
    process.stderr.write('[build] speech: espeak-ng not found (apt-get install -y espeak-ng); spoken guidance skipped\n');
    return;
  }
  const { messages, isSpokenKey } = await loadCatalogue(root);
  const stampFile = join(dir, 'stamps.json');
  const stamps = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : {};
  const next = {};
  let rendered = 0;
  let kept = 0;
  for (const [lang, catalogue] of Object.entries(messages)) {
    const { voice, speed } = VOICES[lang];
    mkdirSync(join(dir, lang), { recursive: true });
    for (const [key, text] of Object.entries(catalogue)) {
      if (!isSpokenKey(key)) continue;
      const file = join(dir, lang, `${key}.wav`);
      const stamp = createHash('sha256').update(`${espeak.stdout.trim()}|${voice}|${speed}|${text}`).digest('hex').slice(0, 16);
      next[`${lang}/${key}`] = stamp;
      if (stamps[`${lang}/${key}`] === stamp && existsSync(file)) {
        kept += 1;
        continue;
      }
      const r = spawnSync('espeak-ng', ['-v', voice, '-s', String(speed), '-a', '180', '-w', file, text], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`espeak-ng failed for ${lang}/${key}: ${r.stderr}`);
      rendered += 1;
    }
  }
  // Prompts removed from the catalogue leave with their WAV.
  for (const old of Object.keys(stamps)) if (!(old in next)) rmSync(join(dir, `${old}.wav`), { force: true });
  writeFileSync(stampFile, JSON.stringify(next, null, 1));
  process.stderr.write(`[build] speech: ${rendered} prompt(s) rendered, ${kept} up to date\n`);
}

/** A5 then E5, each fading out, twice: heard from the counter, calm enough for the patient. */
const CHIME_NOTES = [[880, 0.45], [659.25, 0.8], [880, 0.45], [659.25, 0.8]];

function renderChime({ root }) {
  const dir = join(root, 'src/renderer/kiosk/public/audio');
  const file = join(dir, 'chime.wav');
  const args = ['-n', '-r', '44100', '-c', '1', '-b', '16', file];
  CHIME_NOTES.forEach(([freq, seconds], i) => {
    if (i > 0) args.push(':');
    // Peaks at about -4 dBFS: the kiosk-config volume scales it down from there, never up into clipping.
    args.push('synth', String(seconds), 'sine', String(freq), 'fade', 'q', '0.005', String(seconds), String(seconds - 0.05), 'gain', '-4');
  });
  const stamp = createHash('sha256').update(JSON.stringify(args.slice(0, 7).concat(args.slice(8)))).digest('hex').slice(0, 16);
  const stampFile = join(dir, 'chime.stamp');
  if (existsSync(file) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('sox', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    process.stderr.write(`[build] chime: sox failed or not found (apt-get install -y sox): ${r.error?.message ?? r.stderr}; the kiosk will use a WebAudio tone\n`);
    return;
  }
  writeFileSync(stampFile, stamp);
  process.stderr.write('[build] chime: rendered\n');
}

export const steps = [
  { name: 'kiosk', before: true, run: renderSpeech },
  { name: 'kiosk', before: true, run: renderChime },
  // The counter page rings with the same chime (its Vite config copies it).
  { name: 'counter', before: true, run: renderChime },
];
