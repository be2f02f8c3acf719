import { useEffect, useState } from 'react';
import type { RemoteVideoTrack } from 'livekit-client';

/**
 * Attaches a remote video track to the <video> the returned ref lands on, and detaches it when
 * either goes away (livekit-client's adaptive stream then pauses the track it no longer shows).
 */
export function useAttachedVideo(track: RemoteVideoTrack | null): (element: HTMLVideoElement | null) => void {
  const [element, setElement] = useState<HTMLVideoElement | null>(null);
  useEffect(() => {
    if (!track || !element) return;
    track.attach(element);
    return () => {
      track.detach(element);
    };
  }, [track, element]);
  return setElement;
}
