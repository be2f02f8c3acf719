/**
 * Runs inside Chromium (bundled by tests/sfu/browser.ts): livekit-client with its default
 * options, driven by the tests through `window.lkTest`.
 */
import { Room, RoomEvent, Track } from 'livekit-client';
import type { RemoteTrack } from 'livekit-client';
import type { LkTest } from '../page-api.js';

declare global {
  interface Window {
    lkTest: LkTest;
  }
}

let room: Room | undefined;

window.lkTest = {
  async publish(url, token) {
    room = new Room(); // default options: adaptive stream off, simulcast on for camera
    await room.connect(url, token);
    await room.localParticipant.enableCameraAndMicrophone();
    return room.localParticipant.sid;
  },
  async view(url, token, adaptive) {
    room = new Room({ adaptiveStream: adaptive !== undefined });
    room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
      const element = track.attach();
      if (track.kind === Track.Kind.Video) {
        element.id = 'remote-video';
        (element as HTMLVideoElement).muted = true;
        if (adaptive) {
          element.style.width = `${adaptive.width}px`;
          element.style.height = `${adaptive.height}px`;
        }
      }
      document.body.appendChild(element);
    });
    await room.connect(url, token);
  },
  resizeVideo(width, height) {
    const video = document.getElementById('remote-video') as HTMLVideoElement | null;
    if (!video) throw new Error('no remote video yet');
    video.style.width = `${width}px`;
    video.style.height = `${height}px`;
  },
  setVideoHidden(hidden) {
    const video = document.getElementById('remote-video') as HTMLVideoElement | null;
    if (!video) throw new Error('no remote video yet');
    video.style.display = hidden ? 'none' : '';
  },
  async framesReceived() {
    for (const participant of room?.remoteParticipants.values() ?? []) {
      for (const publication of participant.videoTrackPublications.values()) {
        const stats = await publication.track?.receiver?.getStats();
        let frames = 0;
        stats?.forEach((s: { type: string; framesReceived?: number }) => {
          if (s.type === 'inbound-rtp') frames += s.framesReceived ?? 0;
        });
        return frames;
      }
    }
    return 0;
  },
  sampleVideo() {
    const video = document.getElementById('remote-video') as HTMLVideoElement | null;
    if (!video || video.videoWidth === 0 || video.readyState < 2) return undefined;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let checksum = 0;
    let max = 0;
    let n = 0;
    for (let i = 0; i < data.length; i += 4 * 97) {
      const v = data[i]! + data[i + 1]! + data[i + 2]!;
      sum += v / 3;
      max = Math.max(max, v / 3);
      checksum = (checksum + v * ((i / 4) % 1009)) % 1_000_000_007;
      n++;
    }
    return { width: canvas.width, height: canvas.height, mean: sum / n, max, checksum };
  },
  async disconnect() {
    await room?.disconnect();
  },
};
