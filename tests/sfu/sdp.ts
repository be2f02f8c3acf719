/** What the server needs to know about one m-section of a client's SDP. */
export interface MediaSection {
  kind: string;
  mid: string;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** Track id from `a=msid:<stream> <track>`; for LiveKit publishers this is the AddTrackRequest cid. */
  msidTrackId: string | undefined;
  /** Simulcast layers offered with `a=rid:<rid> send`. */
  rids: string[];
  port: number;
}

/** Splits an SDP into its media sections; the session part is not needed. */
export function parseMediaSections(sdp: string): MediaSection[] {
  const sections: MediaSection[] = [];
  let current: MediaSection | undefined;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const [kind, port] = line.slice(2).split(' ');
      current = {
        kind: kind ?? '',
        mid: '',
        direction: 'sendrecv',
        msidTrackId: undefined,
        rids: [],
        port: Number(port),
      };
      sections.push(current);
      continue;
    }
    if (!current || !line.startsWith('a=')) continue;
    const attr = line.slice(2);
    if (attr.startsWith('mid:')) current.mid = attr.slice(4).trim();
    else if (attr.startsWith('msid:')) current.msidTrackId = attr.slice(5).trim().split(' ')[1];
    else if (attr.startsWith('rid:')) {
      const [rid, dir] = attr.slice(4).trim().split(' ');
      if (rid && dir === 'send') current.rids.push(rid);
    } else if (
      attr === 'sendrecv' ||
      attr === 'sendonly' ||
      attr === 'recvonly' ||
      attr === 'inactive'
    ) {
      current.direction = attr;
    }
  }
  return sections;
}

/**
 * werift answers idle receive-only m-lines with port 0, which libwebrtc reads as "rejected";
 * the first such section also anchors the BUNDLE transport, so the whole connection breaks.
 * Port 9 (the usual "discard" placeholder) keeps the section alive and bundled.
 */
export function keepMediaSectionsAlive(sdp: string): string {
  return sdp.replace(/^m=(audio|video) 0 /gm, 'm=$1 9 ');
}
