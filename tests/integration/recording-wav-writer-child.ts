// Child process for recording-wav.test.ts: records synthetic audio to a WAV until it is
// killed, printing progress so the parent knows how much was written before the kill.
import { WavFileRecorder } from '../../main/recording/wav-file-recorder.js';
import { feedRealTime } from './recording-fixtures.js';

const outputPath = process.argv[2]!;
const recorder = await WavFileRecorder.start({ outputPath });
setInterval(() => process.stdout.write(`${JSON.stringify(recorder.progress)}\n`), 100);
await feedRealTime(
  { onVideo: () => {}, onAudio: (a) => recorder.pushAudioFrame(a) },
  {
    durationSec: 60,
    fps: 30,
    markersAtSec: [0.5],
  },
);
