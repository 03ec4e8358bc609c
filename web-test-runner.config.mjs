import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { wsServerPlugin } from './test/support/ws-server-plugin.mjs';
import { frameworksPlugin } from './test/support/frameworks-plugin.mjs';
import { countReporter } from './test/support/count-reporter.mjs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  hostname: '127.0.0.1',
  concurrency: 2,
  concurrentBrowsers: 1,
  testsFinishTimeout: 10 * 60 * 1000,
  testFramework: { config: { timeout: 20000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    wsServerPlugin(),
    frameworksPlugin(),
  ],
  reporters: [defaultReporter(), summaryReporter({ flatten: false }), countReporter('.test-results/browser.json')],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: [
          ...chromiumArgs,
          // Background tabs in a shared headless browser must not throttle the timers under test.
          '--disable-background-timer-throttling',
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
        ],
      },
    }),
  ],
};
