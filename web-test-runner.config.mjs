import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { webdriverLauncher } from '@web/test-runner-webdriver';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { wsServerPlugin } from './test/support/ws-server-plugin.mjs';
import { frameworksPlugin } from './test/support/frameworks-plugin.mjs';
import { countReporter } from './test/support/count-reporter.mjs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';
import { firefoxPath } from './scripts/engines.mjs';
import { startWebKit } from './scripts/webkit.mjs';

// One engine per run (scripts/test.mjs runs each in turn): RS_ENGINE=chromium|firefox|webkit.
const engine = process.env.RS_ENGINE || 'chromium';

// Background tabs in a shared browser must not throttle or suspend the timers under test.
const firefoxPrefs = {
  'dom.min_background_timeout_value': 0,
  'dom.min_background_timeout_value_without_budget_throttling': 0,
  'dom.timeout.enable_budget_timer_throttling': false,
  'dom.suspend_inactive.enabled': false,
  'browser.tabs.remote.autostart': true,
  'network.proxy.type': 0,
};

async function browsers() {
  if (engine === 'firefox')
    return [
      chromeLauncher({
        launchOptions: {
          browser: 'firefox',
          executablePath: firefoxPath,
          headless: true,
          extraPrefsFirefox: firefoxPrefs,
        },
      }),
    ];
  if (engine === 'webkit') return [webdriverLauncher(await startWebKit())];
  return [
    chromeLauncher({
      launchOptions: {
        executablePath: chromiumPath,
        headless: true,
        args: [
          ...chromiumArgs,
          '--disable-background-timer-throttling',
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
        ],
      },
    }),
  ];
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  hostname: '127.0.0.1',
  // WebDriver drives one page at a time.
  concurrency: engine === 'webkit' ? 1 : 2,
  concurrentBrowsers: 1,
  testsFinishTimeout: 10 * 60 * 1000,
  testFramework: { config: { timeout: 20000 } },
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    wsServerPlugin(),
    frameworksPlugin(),
  ],
  reporters: [
    defaultReporter(),
    summaryReporter({ flatten: false }),
    countReporter(`.test-results/browser-${engine}.json`),
  ],
  browsers: await browsers(),
};
