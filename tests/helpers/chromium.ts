/**
 * How every test and benchmark starts Chromium: Debian's build (Playwright never downloads one)
 * with the flags that keep it off the network and quiet on a headless machine.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** For pages that publish: fake camera and microphone, permission prompts answered yes. */
export const fakeMediaArgs = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
