/**
 * V8 flags for a Node process that records: the command-line recorder (`bin/haven-player.js`'s
 * shebang), the web shell (`npm run web`) and the benchmark's recorder. Each launcher spells them
 * out (a shebang and an npm script can't import); tests/unit/recording/v8-flags.test.ts keeps
 * them equal to this list.
 *
 * Why: rtc-node hands over every decoded frame in a fresh ArrayBuffer (1.4 MB at 720p30, 41 MB/s
 * a stream), which V8 counts as external memory. With V8's default limits (Node 20, V8 11.3) a
 * process either frees those with a scavenge every ~0.5 s, or, by chance, falls into full
 * mark-compacts 2-3 times a second at one stream (8 of 10 bench runs), 6-8 at two or three (every
 * run). With this flag V8 skips full collections while the old generation (with the external
 * memory allocated since the last one) is below 256 MB, and the ArrayBuffers, dead within a
 * frame's latency, go with the scavenges: 0.01 full collections a second over 3 minutes at one
 * stream (and in 6 of 6 shorter runs), 1.2-1.8 at two or three. The recorder process's CPU per
 * stream (bench, 30-60 s runs on 2 cores): one stream 20-29% of a core with it, 28-37% in the
 * runs that fell into full collections without; two or three streams 17-20% against 23-29%.
 *
 * Not (yet) for Electron's main process, where only a `--js-flags` switch on Electron's own command
 * line would set it: Electron 45 runs V8 14, three years newer, whose external-memory heuristics
 * have moved on, and its binary doesn't run where this was measured. The bench's GC line (full
 * and young collections a second) is the way to measure it on a machine where Electron runs.
 */
export const RECORDER_V8_FLAGS: readonly string[] = ['--initial-old-space-size=256'];
