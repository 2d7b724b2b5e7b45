/**
 * A two-way call through the hub's SFU with mediasoup-client, shared by the
 * kiosk and the console (browser code; imports only src/shared). Signaling
 * is behind a small interface: the kiosk relays it through its host
 * (KioskApi mediaSignal), the console speaks to the hub directly.
 *
 * Flow: capabilities → load the device → send transport, produce camera and
 * microphone → receive transport, consume what the other side produces
 * (created paused by the hub, resumed here once the track is held). A
 * transport that fails gets an ICE restart.
 */
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { accumulate, emptyStats, qualityOf, type CallStats, type Quality } from './quality';

declare global {
  interface Window {
    /** Test and benchmark hook: the current call's set-up steps. */
    __cabineTimeline?: () => { step: string; at: number }[];
  }
}

/** The hub's media methods, however they travel. */
export interface MediaSignaling {
  request(method: string, data: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Subscribes to hub notes (`media.newProducer`, `media.producerClosed`, `room.closed`…); returns an unsubscribe. */
  onNotification(listener: (method: string, data: Record<string, unknown>) => void): () => void;
}

export interface MediaSessionEvents {
  remoteStream?: (stream: MediaStream) => void;
  localStream?: (stream: MediaStream) => void;
  quality?: (q: Quality) => void;
  state?: (state: CallState) => void;
  error?: (error: Error) => void;
}

export type CallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface MediaSessionOptions {
  signaling: MediaSignaling;
  events?: MediaSessionEvents;
  /** Defaults to camera + microphone from getUserMedia. */
  getLocalStream?: () => Promise<MediaStream>;
  statsIntervalMs?: number;
}

type TransportInfo = { id: string; iceParameters: types.IceParameters; iceCandidates: types.IceCandidate[]; dtlsParameters: types.DtlsParameters };

export class MediaSession {
  private device: Device | null = null;
  private send: types.Transport | null = null;
  private recv: types.Transport | null = null;
  private readonly consumers = new Map<string, types.Consumer>();
  private readonly producers: types.Producer[] = [];
  private local: MediaStream | null = null;
  private readonly remote = new MediaStream();
  private off: (() => void) | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private lastStats: CallStats | null = null;
  private current: CallState = 'idle';
  private pendingProducers: string[] = [];
  /** Producers already consumed: a note and the capabilities answer may both name one. */
  private readonly consumed = new Set<string>();

  /** When each set-up step finished (epoch ms, comparable across processes on one machine): what the set-up benchmark reads. */
  readonly timeline: { step: string; at: number }[] = [];

  constructor(private readonly opts: MediaSessionOptions) {}

  private mark(step: string): void {
    this.timeline.push({ step, at: performance.timeOrigin + performance.now() });
  }

  get state(): CallState {
    return this.current;
  }

  private setState(s: CallState): void {
    if (this.current === s) return;
    this.current = s;
    this.opts.events?.state?.(s);
  }

  private req<T>(method: string, data: Record<string, unknown> = {}): Promise<T> {
    return this.opts.signaling.request(method, data) as Promise<T>;
  }

  async start(): Promise<void> {
    if (this.current !== 'idle') return;
    this.setState('connecting');
    this.mark('start');
    this.off = this.opts.signaling.onNotification((m, d) => this.onNote(m, d));
    // The camera starts while signaling runs: opening it is often the slowest step.
    const localStream = (this.opts.getLocalStream ?? (() => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } })))();
    localStream.catch(() => undefined);
    const [caps, recvInfo, sendInfo] = await Promise.all([
      this.req<{ rtpCapabilities: types.RtpCapabilities; producers: { producerId: string }[] }>('media.capabilities'),
      this.req<TransportInfo>('media.createTransport', { direction: 'recv' }),
      this.req<TransportInfo>('media.createTransport', { direction: 'send' }),
    ]);
    this.mark('signaled');
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities: caps.rtpCapabilities });
    this.mark('deviceLoaded');
    this.recv = this.makeTransport(recvInfo, 'recv');
    this.send = this.makeTransport(sendInfo, 'send');
    // What the other side already sends is consumed at once, in parallel with our own camera.
    const early = Promise.all(caps.producers.map((p) => this.consume(p.producerId)));

    this.local = await localStream;
    this.mark('camera');
    this.opts.events?.localStream?.(this.local);
    const send = this.send;
    // Video first: it is what both people wait for.
    const tracks = [...this.local.getVideoTracks(), ...this.local.getAudioTracks()];
    for (const track of tracks) this.producers.push(await send.produce({ track, appData: { source: track.kind === 'audio' ? 'microphone' : 'camera' } }));
    this.mark('produced');
    await Promise.all([early, ...this.pendingProducers.splice(0).map((id) => this.consume(id))]);
    this.statsTimer = setInterval(() => void this.sampleQuality(), this.opts.statsIntervalMs ?? 2000);
  }

  private makeTransport(info: TransportInfo, direction: 'send' | 'recv'): types.Transport {
    const params = { id: info.id, iceParameters: info.iceParameters, iceCandidates: info.iceCandidates, dtlsParameters: info.dtlsParameters, iceServers: [] };
    const transport = direction === 'send' ? this.device!.createSendTransport(params) : this.device!.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.req('media.connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> }).then(() => callback(), errback);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.req<{ id: string }>('media.produce', { transportId: transport.id, kind, rtpParameters: rtpParameters as unknown as Record<string, unknown>, source: String(appData.source ?? 'camera') })
          .then(({ id }) => callback({ id }), errback);
      });
    }
    transport.on('connectionstatechange', (state) => {
      if (state === 'connected') {
        this.mark(`connected:${direction}`);
        this.setState('connected');
      }
      if (state === 'failed' || state === 'disconnected') void this.restartIce(transport);
    });
    return transport;
  }

  /** NOTE: a failed ICE path (network change, NAT rebinding) recovers with new ICE credentials from the hub. */
  private async restartIce(transport: types.Transport): Promise<void> {
    if (this.current === 'closed' || transport.closed) return;
    this.setState('reconnecting');
    try {
      const { iceParameters } = await this.req<{ iceParameters: types.IceParameters }>('media.restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters });
    } catch (error) {
      this.opts.events?.error?.(error as Error);
    }
  }

  private async consume(producerId: string): Promise<void> {
    if (!this.recv || !this.device) {
      this.pendingProducers.push(producerId);
      return;
    }
    if (this.consumed.has(producerId)) return;
    this.consumed.add(producerId);
    const info = await this.req<{ id: string; producerId: string; kind: types.MediaKind; rtpParameters: types.RtpParameters }>('media.consume', {
      transportId: this.recv.id,
      producerId,
      rtpCapabilities: this.device.recvRtpCapabilities as unknown as Record<string, unknown>,
    });
    const consumer = await this.recv.consume({ id: info.id, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters });
    this.consumers.set(consumer.id, consumer);
    this.remote.addTrack(consumer.track);
    this.opts.events?.remoteStream?.(this.remote);
    await this.req('media.resumeConsumer', { consumerId: consumer.id });
    this.mark(`resumed:${consumer.kind}`);
    if (consumer.kind === 'video') void this.watchFirstFrame(consumer);
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
    const c = this.consumers.get(consumerId);
    if (!c) return;
    this.consumers.delete(consumerId);
    this.remote.removeTrack(c.track);
    this.consumed.delete(c.producerId);
    c.close();
    this.opts.events?.remoteStream?.(this.remote);
  }

  private onNote(method: string, data: Record<string, unknown>): void {
    if (method === 'media.newProducer' && typeof data.producerId === 'string') {
      void this.consume(data.producerId).catch((e: unknown) => this.opts.events?.error?.(e as Error));
    } else if (method === 'media.producerClosed' || method === 'media.consumerClosed') {
      for (const c of this.consumers.values()) if (c.producerId === data.producerId || c.id === data.consumerId) this.dropConsumer(c.id);
    } else if (method === 'room.closed') {
      this.close();
    }
  }

  /** Summed stats of both transports: what the test hook and the indicator read. */
  async stats(): Promise<CallStats> {
    const s = emptyStats();
    for (const t of [this.recv, this.send]) if (t && !t.closed) accumulate(s, (await t.getStats()) as unknown as { forEach(cb: (v: Record<string, unknown>) => void): void });
    return s;
  }

  private async sampleQuality(): Promise<void> {
    const s = await this.stats();
    this.opts.events?.quality?.(qualityOf(this.lastStats, s));
    this.lastStats = s;
  }

  get localStream(): MediaStream | null {
    return this.local;
  }

  get remoteStream(): MediaStream {
    return this.remote;
  }

  close(): void {
    if (this.current === 'closed') return;
    this.setState('closed');
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.off?.();
    for (const p of this.producers) p.close();
    for (const c of this.consumers.values()) c.close();
    this.send?.close();
    this.recv?.close();
    for (const t of this.local?.getTracks() ?? []) t.stop();
  }
}
