import { existsSync } from 'node:fs';
import { describe } from '@jest/globals';

/** Debian's Chromium, which playwright-core drives (`npx playwright install` cannot download here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const HOW_TO_RUN =
  'Install it with: apt-get install -y chromium (then run npm test again).';

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

if (!chromiumAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(
      `The browser suite needs Chromium at ${CHROMIUM_PATH}, and CI=true makes its absence a failure. ${HOW_TO_RUN}`,
    );
  }
  console.warn(
    `Skipping the browser suite: no Chromium at ${CHROMIUM_PATH}. ${HOW_TO_RUN}`,
  );
}

/** `describe` when Chromium is there; otherwise the suite is reported as skipped (see the warning above). */
export const describeWithChromium: (name: string, body: () => void) => void =
  chromiumAvailable ? describe : describe.skip;
