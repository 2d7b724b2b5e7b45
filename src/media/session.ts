/**
 * A two-way call through the hub's SFU with mediasoup-client, shared by the
 * kiosk and the console (browser code; imports only src/shared). Signaling
 * is behind a small interface: the kiosk relays it through its host
 * (KioskApi mediaSignal), the console speaks to the hub directly.
 *
 * Flow: capabilities → load the device → send transport, produce camera and
 * microphone (and any extra source, e.g. the dermatoscope) → receive
 * transport, consume what the other side produces (created paused by the
 * hub, resumed here once the track is held). A transport that fails gets an
 * ICE restart. A call whose network lets no media through at all (no UDP,
 * TCP or TURN path: ./media-path.ts) is `blocked` rather than forever
 * "reconnecting": this side says so, the hub tells the other side, and ICE
 * restarts go on at a slower pace until a path opens. When the hub says
 * the room was rebuilt (`room.resumed`: the hub restarted, the media worker
 * was replaced, or this side reconnected), the whole media path is rebuilt
 * by `restart()`, keeping the local camera and microphone and every extra
 * track.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { MEDIA, ROOM, parseMediaNote, parseMediaResult, type IceServer, type MediaMethod, type MediaNote, MediaSource, type RemoteProducer, type RequestParams, type RequestResult, type SideName } from '../shared/media-protocol';
import { accumulate, emptyStats, qualityOf, type CallStats, type Quality } from './quality';
import { chooseLayers, LineJudge, type LayerChoice, type LineState } from './adaptation';
import { callQuality, readInbound, readOutbound, readPath, receiveSample, sendSample, type Snapshot } from './call-figures';
import { PathJudge, PATH_SETTINGS, type PathSettings } from './media-path';

export type { MediaSource } from '../shared/media-protocol';

declare global {
  interface Window {
    /** Test and benchmark hook: the current call's set-up steps. */
    __cabineTimeline?: () => { step: string; at: number }[];
    /** Test and benchmark hook: the line each way as the call's media session last judged it. */
    __cabineLine?: () => LineReport;
    /** Benchmark hook: set to false before the page loads, the call is made as before adaptation (the bench's baseline). */
    __cabineAdaptation?: boolean;
  }
}

/** The line each way as this side sees it, and whether the video is suspended (either way audio-only). */
export interface LineReport {
  receive: LineState;
  send: LineState;
  videoSuspended: boolean;
}

/**
 * How each source is sent. The patient's face keeps its frame rate (a
 * conversation reads movement) and goes as three simulcast streams (¼, ½
 * and full size, three temporal layers each) so the SFU forwards what each
 * line and each screen can take; the instrument cameras keep their
 * resolution (a lesion's detail is the point); the voice goes first:
 * priority high (the browser's bandwidth share and network marking) and
 * Opus in-band FEC, so under loss and a squeezed line the video yields
 * before the audio does.
 */
interface SendProfile {
  encodings?: types.RtpEncodingParameters[];
  codecOptions?: types.ProducerCodecOptions;
  degradation?: RTCDegradationPreference;
}
export const CAMERA_LAYERS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];
/** The smallest layer's bitrate while the video is suspended: a trickle that shows when the line carries video again. */
const PROBE_BITRATE = 60_000;
const SEND_PROFILES: Partial<Record<MediaSource, SendProfile>> = {
  camera: { encodings: CAMERA_LAYERS, degradation: 'maintain-framerate' },
  microphone: { encodings: [{ priority: 'high', networkPriority: 'high' }], codecOptions: { opusFec: true, opusDtx: false } },
  dermatoscope: { degradation: 'maintain-resolution' },
  otoscope: { degradation: 'maintain-resolution' },
};
/** Every how many stats rounds the quality figures go to the hub for the record (2 s each: every 10 s). */
const REPORT_EVERY = 5;

/**
 * The hub's media methods (src/shared/media-protocol.ts), however they
 * travel; answers and notes are checked against the catalogue here.
 */
export interface MediaSignaling {
  request(method: MediaMethod, data: RequestParams<MediaMethod>): Promise<unknown>;
  /** Subscribes to hub notes (`media.newProducer`, `media.producerClosed`, `room.closed`…); returns an unsubscribe. */
  onNotification(listener: (method: string, data: unknown) => void): () => void;
}

export interface MediaSessionEvents {
  /** The other side's camera and microphone (one stream; a new object after a restart). */
  remoteStream?: (stream: MediaStream) => void;
  localStream?: (stream: MediaStream) => void;
  /** Every remote track as it arrives, with its source: the console shows the dermatoscope apart from the camera. */
  remoteTrack?: (track: MediaStreamTrack, source: MediaSource) => void;
  remoteTrackEnded?: (track: MediaStreamTrack, source: MediaSource) => void;
  quality?: (q: Quality) => void;
  /** The line each way (good, degraded, audio-only), on each change. */
  line?: (line: LineReport) => void;
  /** The other side's network blocks its media, or no longer does (as the hub relays it; false when the media path is rebuilt). */
  peerPath?: (peer: { side: SideName; blocked: boolean }) => void;
  state?: (state: CallState) => void;
  error?: (error: Error) => void;
}

/** `blocked`: no media path at all, not a poor line (see ./media-path.ts); retried until one opens. */
export type CallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'blocked' | 'closed';

export interface MediaSessionOptions {
  signaling: MediaSignaling;
  events?: MediaSessionEvents;
  /** Defaults to camera + microphone from getUserMedia. */
  getLocalStream?: () => Promise<MediaStream>;
  statsIntervalMs?: number;
  /**
   * Simulcast, per-source degradation, audio first, layers chosen by the
   * line and the screen (see SEND_PROFILES and ./adaptation.ts); off, the
   * call is made as before (the bench's baseline). Default: on, unless the
   * page's `__cabineAdaptation` hook says false.
   */
  adaptation?: boolean;
  /** The height (CSS px × device pixel ratio) of the element showing a remote source, for the layer it needs; unknown: the top layer. */
  viewHeight?: (source: MediaSource) => number | null;
  /** When a media path is judged blocked, and how it is retried (default PATH_SETTINGS). */
  path?: PathSettings;
}

type TransportInfo = RequestResult<typeof MEDIA.createTransport>;

function sourceOf(value: unknown, kind: string): MediaSource {
  const known = MediaSource.safeParse(value);
  if (known.success) return known.data;
  return kind === 'audio' ? 'microphone' : 'camera';
}

/** The sources sent beside the camera and microphone, while an instrument is in use. */
export type ExtraSource = 'dermatoscope' | 'otoscope' | 'stethoscope';

/**
 * How an extra track is produced: Opus codec options for an instrument's
 * sound (the stethoscope's: stereo, a high bitrate, no DTX, in-band FEC),
 * encodings for a video, and what a video gives up first.
 */
export interface ExtraOptions {
  codecOptions?: types.ProducerCodecOptions;
  encodings?: RTCRtpEncodingParameters[];
  /**
   * What the encoder gives up first under a poor line or a busy CPU: an
   * instrument's image keeps its resolution ("maintain-resolution") and
   * loses frame rate, where a face would rather stay fluid.
   */
  degradationPreference?: RTCDegradationPreference;
}

export class MediaSession {
  private device: Device | null = null;
  private send: types.Transport | null = null;
  private recv: types.Transport | null = null;
  private readonly consumers = new Map<string, { consumer: types.Consumer; source: MediaSource }>();
  /** Our producers by source (camera, microphone, extras). */
  private readonly producers = new Map<MediaSource, types.Producer>();
  /** Extra tracks we send (kept across restarts; owned by the caller), with their producer options. */
  private readonly extras = new Map<MediaSource, MediaStreamTrack>();
  /** How each extra is sent (kept with it, applied again after a restart). */
  private readonly extraOptions = new Map<MediaSource, ExtraOptions>();
  private readonly enabled = { camera: true, microphone: true };
  private local: MediaStream | null = null;
  private remote = new MediaStream();
  private off: (() => void) | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private lastStats: CallStats | null = null;
  private current: CallState = 'idle';
  /** The call's own state, before the media path's judgement: `current` shows `blocked` over it. */
  private base: CallState = 'idle';
  private path: PathJudge;
  private pathBlocked = false;
  private pathTimer: ReturnType<typeof setTimeout> | null = null;
  private peerBlocked: SideName | null = null;
  private pendingProducers: RemoteProducer[] = [];
  /** Producers already consumed: a note and the capabilities answer may both name one. */
  private readonly consumed = new Set<string>();
  /** Bumped by each restart: work of an older media path is dropped when it completes. */
  private generation = 0;
  private starting: Promise<void> | null = null;
  private restarting: Promise<void> | null = null;
  private restartAgain = false;

  private readonly adaptive: boolean;
  private readonly judges = { receive: new LineJudge(), send: new LineJudge() };
  private line: LineReport = { receive: 'good', send: 'good', videoSuspended: false };
  /** Whether the page heard the line's state since the path was (re)built: a good line is news too, the first time. */
  private lineTold = false;
  /** The first and the latest stats snapshot of the current media path (the record's figures run from the first). */
  private firstSnap: Snapshot | null = null;
  private lastSnap: Snapshot | null = null;
  private lastFps: number | null = null;
  private rounds = 0;
  private suspended = { since: null as number | null, seconds: 0, episodes: 0 };
  /** Layers last asked per consumer; consumers the hub says have a single layer are left alone. */
  private readonly layersAsked = new Map<string, LayerChoice | 'single'>();
  /** The camera's top spatial layer allowed and the smallest layer's bitrate, as last set on the sender. */
  private cameraSend: { top: number; probe: boolean } = { top: CAMERA_LAYERS.length - 1, probe: false };
  private topHeight = 480;

  /** When each set-up step finished (epoch ms, comparable across processes on one machine): what the set-up benchmark reads. */
  readonly timeline: { step: string; at: number }[] = [];

  constructor(private readonly opts: MediaSessionOptions) {
    this.adaptive = opts.adaptation ?? (typeof window === 'undefined' || window.__cabineAdaptation !== false);
    this.path = new PathJudge(opts.path ?? PATH_SETTINGS);
  }

  /** The line each way as last judged. */
  get lineReport(): LineReport {
    return { ...this.line };
  }

  private mark(step: string): void {
    this.timeline.push({ step, at: performance.timeOrigin + performance.now() });
  }

  get state(): CallState {
    return this.current;
  }

  private isClosed(): boolean {
    return this.current === 'closed';
  }

  private setState(s: CallState): void {
    if (this.current === 'closed') return;
    this.base = s;
    this.showState();
  }

  /** The state the page sees: `blocked` while no media path opens, over connecting or reconnecting. */
  private showState(): void {
    const s = this.pathBlocked && this.base !== 'closed' ? 'blocked' : this.base;
    if (this.current === s || this.current === 'closed') return;
    this.current = s;
    this.opts.events?.state?.(s);
  }

  /**
   * Asks the judge about the media path now: shows and reports a change,
   * restarts the ICE of blocked transports when their retry is due, and
   * looks again when the judgement may change by time alone.
   */
  private reviewPath(): void {
    if (this.pathTimer) clearTimeout(this.pathTimer);
    this.pathTimer = null;
    if (this.isClosed()) return;
    const now = performance.now();
    const judged = this.path.state(now);
    // Once blocked, only a connection clears it: a rebuilt path's fresh judge says 'trying' for its first 15 s, and the message would come and go.
    const blocked = judged === 'blocked' || (this.pathBlocked && judged !== 'connected');
    if (blocked !== this.pathBlocked) {
      this.pathBlocked = blocked;
      this.mark(blocked ? 'pathBlocked' : 'pathOpen');
      this.showState();
      // Best effort: the doctor learns it from the hub; a hub without the method (older) or out of reach changes nothing here.
      this.req(MEDIA.pathReport, { blocked }).catch(() => undefined);
    }
    for (const id of this.path.due(now)) {
      const transport = [this.send, this.recv].find((t) => t?.id === id);
      if (transport) void this.restartIce(transport);
    }
    const next = this.path.nextAt(now);
    // A millisecond past the due time: timers and performance.now() may round differently.
    if (next !== null) this.pathTimer = setTimeout(() => this.reviewPath(), Math.max(0, next - now) + 1);
  }

  private async req<M extends MediaMethod>(method: M, data: RequestParams<M>): Promise<RequestResult<M>> {
    return parseMediaResult(method, await this.opts.signaling.request(method, data));
  }

  start(): Promise<void> {
    if (this.current !== 'idle') return this.starting ?? Promise.resolve();
    this.setState('connecting');
    this.mark('start');
    this.off = this.opts.signaling.onNotification((m, d) => this.onNote(m, d));
    // The camera starts while signaling runs: opening it is often the slowest step.
    const localStream = (this.opts.getLocalStream ?? (() => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } })))();
    localStream.catch(() => undefined);
    this.starting = this.connect(localStream).then(() => {
      this.statsTimer ??= setInterval(() => void this.sampleQuality(), this.opts.statsIntervalMs ?? 2000);
    }).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /**
   * Rebuilds the media path from scratch (new device, transports, producers
   * and consumers) while keeping the local camera and microphone and every
   * extra track: what a `room.resumed` note triggers. Calls made during a
   * restart run one more restart after it.
   */
  restart(): Promise<void> {
    if (this.current === 'idle' || this.current === 'closed') return Promise.resolve();
    if (this.restarting) {
      this.restartAgain = true;
      return this.restarting;
    }
    this.restarting = (async () => {
      // A restart asked for while starting rebuilds what the start set up.
      if (this.starting) await this.starting.catch(() => undefined);
      do {
        this.restartAgain = false;
        if (this.isClosed()) return;
        this.setState('reconnecting');
        this.mark('restart');
        this.dropMediaPath();
        try {
          await this.connect(null);
        } catch (error) {
          // The hub may still be down; its next `room.resumed` restarts again.
          this.opts.events?.error?.(error as Error);
        }
      } while (this.restartAgain);
    })().finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  /** Closes transports, producers and consumers here (the hub has already dropped its half); tracks stay. */
  private dropMediaPath(): void {
    this.generation += 1;
    for (const p of this.producers.values()) p.close();
    this.producers.clear();
    for (const { consumer, source } of this.consumers.values()) {
      consumer.close();
      this.opts.events?.remoteTrackEnded?.(consumer.track, source);
    }
    this.consumers.clear();
    this.consumed.clear();
    this.send?.close();
    this.recv?.close();
    this.send = null;
    this.recv = null;
    this.device = null;
    this.remote = new MediaStream();
    this.lastStats = null;
    this.firstSnap = null;
    this.lastSnap = null;
    this.lineTold = false;
    this.layersAsked.clear();
    this.cameraSend = { top: CAMERA_LAYERS.length - 1, probe: false };
    // The new path is judged afresh; a blocked one stays so until it connects (see reviewPath).
    this.path = new PathJudge(this.opts.path ?? PATH_SETTINGS);
    if (this.pathTimer) clearTimeout(this.pathTimer);
    this.pathTimer = null;
    // The other side rebuilds its path too and reports it again.
    if (this.peerBlocked) {
      this.opts.events?.peerPath?.({ side: this.peerBlocked, blocked: false });
      this.peerBlocked = null;
    }
  }

  private async connect(localStream: Promise<MediaStream> | null): Promise<void> {
    const gen = this.generation;
    // Capabilities first: on the hub they also clear what an earlier media path of this side left.
    const caps = await this.req(MEDIA.capabilities, {});
    const [recvInfo, sendInfo] = await Promise.all([
      this.req(MEDIA.createTransport, { direction: 'recv' }),
      this.req(MEDIA.createTransport, { direction: 'send' }),
    ]);
    if (gen !== this.generation || this.isClosed()) return;
    this.mark('signaled');
    const device = new Device();
    await device.load({ routerRtpCapabilities: caps.rtpCapabilities });
    if (gen !== this.generation || this.isClosed()) return;
    this.device = device;
    this.mark('deviceLoaded');
    // The hub's TURN server (if any) with this side's own short-lived credential, fresh at each (re)start.
    this.recv = this.makeTransport(recvInfo, 'recv', caps.iceServers);
    this.send = this.makeTransport(sendInfo, 'send', caps.iceServers);
    // What the other side already sends is consumed at once, in parallel with our own camera.
    const early = Promise.all(caps.producers.map((p) => this.consume(p)));

    if (localStream) {
      this.local = await localStream;
      this.mark('camera');
      this.opts.events?.localStream?.(this.local);
    }
    if (gen !== this.generation || this.isClosed()) return;
    // Video first: it is what both people wait for.
    const tracks = [...(this.local?.getVideoTracks() ?? []), ...(this.local?.getAudioTracks() ?? [])];
    for (const track of tracks) await this.produce(track, track.kind === 'audio' ? 'microphone' : 'camera', gen);
    for (const [source, track] of this.extras) await this.produce(track, source, gen, this.extraOptions.get(source));
    this.mark('produced');
    await Promise.all([early, ...this.pendingProducers.splice(0).map((p) => this.consume(p))]);
  }

  private async produce(track: MediaStreamTrack, source: MediaSource, gen: number, options: ExtraOptions = {}): Promise<void> {
    const send = this.send;
    if (!send || gen !== this.generation || track.readyState === 'ended') return;
    // The caller's own options (the stethoscope's Opus settings) win over the adaptive profile of its source.
    const adaptive = this.adaptive ? SEND_PROFILES[source] ?? {} : {};
    const encodings = options.encodings ?? adaptive.encodings;
    const codecOptions = options.codecOptions ?? adaptive.codecOptions;
    const degradation = options.degradationPreference ?? adaptive.degradation;
    // Tracks outlive producers: a restart produces them again.
    const producer = await send.produce({
      track, stopTracks: false, appData: { source },
      ...(encodings ? { encodings: encodings.map((e) => ({ ...e })) } : {}),
      ...(codecOptions ? { codecOptions } : {}),
    });
    if (gen !== this.generation) {
      producer.close();
      return;
    }
    if (degradation) await this.setDegradation(producer, degradation);
    this.producers.get(source)?.close();
    this.producers.set(source, producer);
    if ((source === 'camera' && !this.enabled.camera) || (source === 'microphone' && !this.enabled.microphone)) {
      producer.pause();
      await this.req(MEDIA.pauseProducer, { producerId: producer.id });
    }
  }

  /** What the encoder gives up first when the line or the CPU cannot keep up: frame rate or resolution. */
  private async setDegradation(producer: types.Producer, preference: RTCDegradationPreference): Promise<void> {
    const sender = producer.rtpSender;
    if (!sender) return;
    try {
      await sender.setParameters({ ...sender.getParameters(), degradationPreference: preference });
    } catch {
      // A browser that refuses the preference still sends; the content hint says the same in other words.
      const track = producer.track;
      if (track && track.kind === 'video') track.contentHint = preference === 'maintain-resolution' ? 'detail' : 'motion';
    }
  }

  /**
   * Sends an instrument (the dermatoscope or otoscope at high resolution,
   * the stethoscope) beside the camera and microphone, as `options` say.
   * The track stays the caller's: closing the handle stops sending it, the
   * caller stops the track. It is sent again after a restart.
   */
  async produceExtra(track: MediaStreamTrack, source: ExtraSource, options: ExtraOptions = {}): Promise<{ close(): void }> {
    if (this.current === 'closed') throw new Error('the call has ended');
    await this.closeExtra(source);
    this.extras.set(source, track);
    this.extraOptions.set(source, options);
    // A start or restart under way produces the extras itself, after the camera and microphone.
    await (this.starting ?? this.restarting)?.catch(() => undefined);
    if (this.extras.get(source) === track && this.send && !this.producers.has(source)) await this.produce(track, source, this.generation, options);
    return {
      close: () => {
        if (this.extras.get(source) === track) void this.closeExtra(source).catch(() => undefined);
      },
    };
  }

  private async closeExtra(source: MediaSource): Promise<void> {
    this.extras.delete(source);
    this.extraOptions.delete(source);
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    await this.req(MEDIA.closeProducer, { producerId: producer.id });
  }

  /** Our producers' ids by source (what the hub and the other side know them by). */
  producerIds(): Partial<Record<MediaSource, string>> {
    return Object.fromEntries([...this.producers].map(([source, p]) => [source, p.id]));
  }

  /** What we receive, by the other side's producer id and source. */
  remoteProducers(): { producerId: string; source: MediaSource; kind: string }[] {
    return [...this.consumers.values()].map(({ consumer, source }) => ({ producerId: consumer.producerId, source, kind: consumer.kind }));
  }

  /** Mutes or unmutes the microphone here and on the hub (the other side receives nothing meanwhile). */
  setMicrophoneEnabled(on: boolean): Promise<void> {
    this.enabled.microphone = on;
    return this.setProducerEnabled('microphone', on);
  }

  /** Turns the camera off or on here and on the hub. */
  setCameraEnabled(on: boolean): Promise<void> {
    this.enabled.camera = on;
    return this.setProducerEnabled('camera', on);
  }

  private async setProducerEnabled(source: 'camera' | 'microphone', on: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || producer.closed || producer.paused === !on) return;
    if (on) producer.resume();
    else producer.pause();
    await this.req(on ? MEDIA.resumeProducer : MEDIA.pauseProducer, { producerId: producer.id });
  }

  private makeTransport(info: TransportInfo, direction: 'send' | 'recv', iceServers: IceServer[]): types.Transport {
    const params = { id: info.id, iceParameters: info.iceParameters, iceCandidates: info.iceCandidates, dtlsParameters: info.dtlsParameters, iceServers };
    const transport = direction === 'send' ? this.device!.createSendTransport(params) : this.device!.createRecvTransport(params);
    const path = this.path;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      // The first produce or consume on this transport: its checks start now, and so does its bound.
      if (path === this.path) {
        path.start(transport.id, performance.now());
        this.reviewPath();
      }
      this.req(MEDIA.connectTransport, { transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.req(MEDIA.produce, { transportId: transport.id, kind, rtpParameters, source: sourceOf(appData.source, 'video') })
          .then(({ id }) => callback({ id }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (transport.closed || path !== this.path) return;
      const action = path.update(transport.id, state, performance.now());
      if (state === 'connected') {
        this.mark(`connected:${direction}`);
        this.setState('connected');
      }
      if (action === 'restartIce') void this.restartIce(transport);
      this.reviewPath();
    });
    return transport;
  }

  /** NOTE: a failed ICE path (network change, NAT rebinding) recovers with new ICE credentials from the hub. */
  private async restartIce(transport: types.Transport): Promise<void> {
    if (this.current === 'closed' || transport.closed) return;
    this.setState('reconnecting');
    this.mark('iceRestart');
    try {
      const { iceParameters } = await this.req(MEDIA.restartIce, { transportId: transport.id });
      if (!transport.closed) await transport.restartIce({ iceParameters });
    } catch (error) {
      this.opts.events?.error?.(error as Error);
    }
  }

  private async consume(producer: RemoteProducer): Promise<void> {
    if (!this.recv || !this.device) {
      this.pendingProducers.push(producer);
      return;
    }
    const { producerId } = producer;
    if (this.consumed.has(producerId)) return;
    this.consumed.add(producerId);
    const gen = this.generation;
    const recv = this.recv;
    const info = await this.req(MEDIA.consume, { transportId: recv.id, producerId, rtpCapabilities: this.device.recvRtpCapabilities });
    if (gen !== this.generation || recv.closed) return;
    const consumer = await recv.consume({ id: info.id, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters });
    if (gen !== this.generation) {
      consumer.close();
      return;
    }
    const source = sourceOf(info.source, info.kind);
    this.consumers.set(consumer.id, { consumer, source });
    // Only the call's own camera and microphone join the stream the video element plays: an instrument's track
    // (the dermatoscope's or otoscope's view, the stethoscope's sound) is shown or played apart, only where the doctor asks.
    if (source === 'camera' || source === 'microphone') {
      this.remote.addTrack(consumer.track);
      this.opts.events?.remoteStream?.(this.remote);
    }
    this.opts.events?.remoteTrack?.(consumer.track, source);
    await this.req(MEDIA.resumeConsumer, { consumerId: consumer.id });
    this.mark(`resumed:${consumer.kind}`);
    if (consumer.kind === 'video' && source === 'camera') void this.watchFirstFrame(consumer);
  }

  /** Marks 'firstFrame' when the consumer's first frame is decoded (polled briefly, at most 10 s). */
  private async watchFirstFrame(consumer: types.Consumer): Promise<void> {
    for (let i = 0; i < 1000 && !consumer.closed; i++) {
      let decoded = 0;
      (await consumer.getStats()).forEach((s: { type?: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp') decoded += s.framesDecoded ?? 0;
      });
      if (decoded > 0) return this.mark('firstFrame');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    const { consumer, source } = entry;
    this.consumers.delete(consumerId);
    this.consumed.delete(consumer.producerId);
    consumer.close();
    this.opts.events?.remoteTrackEnded?.(consumer.track, source);
    if (this.remote.getTracks().includes(consumer.track)) {
      this.remote.removeTrack(consumer.track);
      this.opts.events?.remoteStream?.(this.remote);
    }
  }

  private onNote(method: string, data: unknown): void {
    // The console's link carries every hub note: only the media path's concern this session.
    if (method !== MEDIA.newProducer && method !== MEDIA.producerClosed && method !== MEDIA.consumerClosed && method !== MEDIA.peerPath && method !== ROOM.resumed && method !== ROOM.closed) return;
    let note: MediaNote;
    try {
      note = parseMediaNote(method, data);
    } catch (error) {
      // Refused, never acted on.
      this.opts.events?.error?.(error as Error);
      return;
    }
    if (note.method === MEDIA.newProducer) {
      void this.consume(note.params).catch((e: unknown) => this.opts.events?.error?.(e as Error));
    } else if (note.method === MEDIA.producerClosed) {
      const { producerId } = note.params;
      for (const { consumer } of [...this.consumers.values()]) if (consumer.producerId === producerId) this.dropConsumer(consumer.id);
    } else if (note.method === MEDIA.consumerClosed) {
      this.dropConsumer(note.params.consumerId);
    } else if (note.method === MEDIA.peerPath) {
      this.peerBlocked = note.params.blocked ? note.params.side : null;
      this.opts.events?.peerPath?.(note.params);
    } else if (note.method === ROOM.resumed) {
      void this.restart();
    } else if (note.method === ROOM.closed) {
      this.close();
    }
  }

  /** Summed stats of both transports: what the test hook and the indicator read. */
  async stats(): Promise<CallStats> {
    const s = emptyStats();
    for (const t of [this.recv, this.send]) if (t && !t.closed) accumulate(s, await t.getStats());
    return s;
  }

  private async sampleQuality(): Promise<void> {
    const s = await this.stats();
    this.opts.events?.quality?.(qualityOf(this.lastStats, s));
    this.lastStats = s;
    try {
      await this.adapt();
    } catch (error) {
      // A refused layer or a stats read that failed is for this round only: the next round judges again.
      this.opts.events?.error?.(error as Error);
    }
  }

  // ---- adaptation: judge the line each way, act on it, report the figures ----------------

  private sourceOf(kind: 'audio' | 'video'): types.Consumer | null {
    for (const { consumer, source } of this.consumers.values()) {
      if (!consumer.closed && (kind === 'video' ? source === 'camera' : source === 'microphone')) return consumer;
    }
    return null;
  }

  /** One stats round of the camera and microphone each way and of both transports. */
  private async snapshot(): Promise<Snapshot> {
    const camera = this.sourceOf('video');
    const mic = this.sourceOf('audio');
    const cameraOut = this.producers.get('camera');
    const micOut = this.producers.get('microphone');
    const read = async (o: { closed: boolean; getStats(): Promise<RTCStatsReport> } | null | undefined): Promise<RTCStatsReport | null> => (o && !o.closed ? o.getStats().catch(() => null) : null);
    const [rv, ra, sv, sa, rt, st] = await Promise.all([read(camera), read(mic), read(cameraOut), read(micOut), read(this.recv), read(this.send)]);
    return {
      at: performance.now(),
      recvVideo: readInbound(rv), recvAudio: readInbound(ra), sendVideo: readOutbound(sv), sendAudio: readOutbound(sa),
      videoReceived: !!camera && !camera.paused, videoSent: !!cameraOut && !cameraOut.paused,
      recvPath: readPath(rt), sendPath: readPath(st),
    };
  }

  private async adapt(): Promise<void> {
    if (this.current !== 'connected') return;
    const gen = this.generation;
    const now = await this.snapshot();
    if (gen !== this.generation) return;
    const prev = this.lastSnap;
    this.lastSnap = now;
    this.firstSnap ??= now;
    if (!prev) return;
    const receive = receiveSample(prev, now);
    this.lastFps = receive.fps;
    if (now.recvVideo.frameHeight) this.topHeight = Math.max(this.topHeight, now.recvVideo.frameHeight);
    const send = sendSample(prev, now);
    // A sender down to its probe is app-limited: the browser's estimate then follows the trickle it sends, not what the line carries, so it cannot tell that the line came back.
    if (this.cameraSend.probe) send.estimateKbps = null;
    const line = { receive: this.judges.receive.next(receive), send: this.judges.send.next(send) };
    this.setLine(line.receive, line.send);
    if (this.adaptive) {
      await this.steerCamera(line.send);
      await this.askLayers(line.receive);
    }
    if (++this.rounds % REPORT_EVERY === 0) await this.reportQuality();
  }

  private setLine(receive: LineState, send: LineState): void {
    const videoSuspended = receive === 'audioOnly' || send === 'audioOnly';
    const t = performance.now();
    if (videoSuspended && this.suspended.since === null) {
      this.suspended.since = t;
      this.suspended.episodes += 1;
    } else if (!videoSuspended && this.suspended.since !== null) {
      this.suspended.seconds += (t - this.suspended.since) / 1000;
      this.suspended.since = null;
    }
    const changed = receive !== this.line.receive || send !== this.line.send;
    this.line = { receive, send, videoSuspended };
    if (changed || !this.lineTold) this.opts.events?.line?.({ ...this.line });
    this.lineTold = true;
  }

  /**
   * Our camera on a line that cannot carry it: only the smallest layer, at
   * a trickle. A degraded line is left to the browser's own estimate, which
   * drops the upper layers by itself (reconfiguring the encoder forces key
   * frames: doing it on every degraded spell made freezes).
   */
  private async steerCamera(send: LineState): Promise<void> {
    const producer = this.producers.get('camera');
    const sender = producer?.rtpSender;
    if (!producer || producer.closed || !sender) return;
    const want = { top: send === 'audioOnly' ? 0 : CAMERA_LAYERS.length - 1, probe: send === 'audioOnly' };
    if (want.top === this.cameraSend.top && want.probe === this.cameraSend.probe) return;
    const params = sender.getParameters();
    if (params.encodings.length !== CAMERA_LAYERS.length) return;
    params.encodings.forEach((e, i) => {
      e.active = i <= want.top;
      e.maxBitrate = i === 0 && want.probe ? PROBE_BITRATE : CAMERA_LAYERS[i]!.maxBitrate;
    });
    await sender.setParameters(params);
    this.cameraSend = want;
  }

  /** The other side's camera: the layers its element and the line need, asked of the hub when they change. */
  private async askLayers(receive: LineState): Promise<void> {
    const consumer = this.sourceOf('video');
    if (!consumer || this.layersAsked.get(consumer.id) === 'single') return;
    const view = this.opts.viewHeight?.('camera') ?? null;
    const top = this.topHeight;
    const choice = chooseLayers({ viewHeight: view ?? top, layerHeights: CAMERA_LAYERS.map((l) => top / (l.scaleResolutionDownBy ?? 1)), temporalLayers: 3, state: receive });
    const asked = this.layersAsked.get(consumer.id);
    if (asked && asked !== 'single' && asked.spatialLayer === choice.spatialLayer && asked.temporalLayer === choice.temporalLayer) return;
    try {
      await this.req(MEDIA.setPreferredLayers, { consumerId: consumer.id, spatialLayer: choice.spatialLayer, temporalLayer: choice.temporalLayer });
      this.layersAsked.set(consumer.id, choice);
    } catch (error) {
      // The other side sends one layer (an older booth, adaptation off): nothing to choose, and no asking again.
      if ((error as { code?: string }).code === 'LAYERS_REFUSED') this.layersAsked.set(consumer.id, 'single');
      else throw error;
    }
  }

  /** The figures since this media path started, for the consultation's record. */
  qualityFigures(): ReturnType<typeof callQuality> | null {
    if (!this.firstSnap || !this.lastSnap || this.firstSnap === this.lastSnap) return null;
    const open = this.suspended.since !== null ? (performance.now() - this.suspended.since) / 1000 : 0;
    return callQuality(this.firstSnap, this.lastSnap, {
      audioOnlySeconds: this.suspended.seconds + open, audioOnlyEpisodes: this.suspended.episodes,
      line: { receive: this.line.receive, send: this.line.send }, videoFps: this.lastFps,
    });
  }

  private async reportQuality(): Promise<void> {
    const figures = this.qualityFigures();
    if (figures) await this.req(MEDIA.qualityReport, figures);
  }

  get localStream(): MediaStream | null {
    return this.local;
  }

  get remoteStream(): MediaStream {
    return this.remote;
  }

  close(): void {
    if (this.current === 'closed') return;
    // The last figures, best effort: the periodic reports already hold all but the last seconds.
    if (this.current === 'connected') void this.reportQuality().catch(() => undefined);
    this.setState('closed');
    this.generation += 1;
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.pathTimer) clearTimeout(this.pathTimer);
    this.off?.();
    for (const p of this.producers.values()) p.close();
    for (const { consumer } of this.consumers.values()) consumer.close();
    this.send?.close();
    this.recv?.close();
    for (const t of this.local?.getTracks() ?? []) t.stop();
  }
}
