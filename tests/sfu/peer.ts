import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useFIR,
  useNACK,
  usePLI,
  useSdesMid,
  useSdesRTPStreamId,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import type { PeerConfig } from 'werift';

// Only VP8 and Opus: with RED or RTX negotiated, werift would need to unwrap retransmissions
// and redundancy itself, and the clients fall back to these two happily.
const vp8 = (rtcpFeedback: ReturnType<typeof useNACK>[]) =>
  new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback });
const opus = () =>
  new RTCRtpCodecParameters({
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    parameters: 'minptime=10;useinbandfec=1',
  });

export interface PeerOptions {
  /** Restrict ICE host candidates to this address (e.g. the network namespace's veth address). */
  iceAddress?: string | undefined;
}

function iceConfig(options: PeerOptions): Partial<PeerConfig> {
  return options.iceAddress
    ? { iceInterfaceAddresses: { udp4: options.iceAddress }, iceUseIpv6: false }
    : { iceUseIpv6: false };
}

/**
 * The client's publisher connection (client offers, server answers). Transport-wide CC makes
 * werift send feedback, so the client's bandwidth estimate ramps up instead of starving the
 * encoder (which would drop frames); mid and rid extensions let werift demux simulcast layers.
 */
export function createPublisherConnection(options: PeerOptions): RTCPeerConnection {
  return new RTCPeerConnection({
    ...iceConfig(options),
    codecs: {
      video: [vp8([useNACK(), usePLI(), useFIR(), useTWCC()])],
      audio: [opus()],
    },
    headerExtensions: {
      video: [useSdesMid(), useSdesRTPStreamId(), useTransportWideCC()],
      audio: [useSdesMid(), useTransportWideCC()],
    },
  });
}

/** The client's subscriber connection (server offers). No header extensions: forwarded packets carry none. */
export function createSubscriberConnection(options: PeerOptions): RTCPeerConnection {
  return new RTCPeerConnection({
    ...iceConfig(options),
    codecs: {
      video: [vp8([useNACK(), usePLI(), useFIR()])],
      audio: [opus()],
    },
    headerExtensions: { video: [], audio: [] },
  });
}

/** Resolves once host candidates are gathered, so the SDP we send already carries them. */
export async function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await pc.iceGatheringStateChange
    .watch((state) => state === 'complete', 5000)
    .catch(() => undefined);
}
