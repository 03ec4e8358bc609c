import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ATTRIBUTES } from '../../src/config.js';
import {
  SETTINGS,
  attributeName,
  initialValue,
  readSetting,
  settingProperties,
  settingsFor,
  type Row,
} from '../../src/settings.js';

const read = (name: Parameters<typeof readSetting>[0], value: string | null) => {
  const warnings: string[] = [];
  return { value: readSetting(name, value, warnings), warnings };
};

describe('the settings table', () => {
  it('gives each row a kebab-case attribute, Boolean for flags and reflection where asked', () => {
    const properties = settingProperties();
    assert.deepEqual(Object.keys(properties), Object.keys(SETTINGS));
    assert.deepEqual(properties.maxQueueBytes, { attribute: 'max-queue-bytes', type: undefined, reflect: undefined });
    assert.equal(properties.pauseHidden!.type, Boolean);
    assert.equal(properties.manual!.type, Boolean);
    assert.equal(properties.sessionId!.reflect, true);
    assert.equal(properties.status!.reflect, true);
    assert.equal(attributeName('reconnectedMessage'), 'reconnected-message');
  });

  it('starts every property at null except flags (false) and status (idle)', () => {
    const initial = Object.entries(SETTINGS).filter(([, row]) => initialValue(row) !== null);
    assert.deepEqual(
      initial.map(([name, row]) => [name, initialValue(row)]),
      [
        ['pauseHidden', false],
        ['manual', false],
        ['status', 'idle'],
      ],
    );
  });

  it('makes RawAttributes of the client rows: null, or false for a flag', () => {
    assert.deepEqual(Object.keys(NO_ATTRIBUTES), settingsFor('client'));
    assert.equal(NO_ATTRIBUTES.pauseHidden, false);
    assert.equal(NO_ATTRIBUTES.maxAttempts, null);
    assert.deepEqual(settingsFor('overlay'), ['overlay', 'position', 'gracePeriod', 'reconnectedDuration']);
  });

  it('gives every number a default within its bounds and every choice a default among its options', () => {
    for (const [name, row] of Object.entries(SETTINGS) as [string, Row][]) {
      if (row.min !== undefined) {
        const value = row.default as number;
        assert.ok(value >= row.min && value <= row.max!, `${name}: ${value}`);
        if (row.integer) assert.ok(Number.isInteger(value), name);
      }
      if (row.options) assert.ok(row.options.includes(row.default as string), name);
    }
  });
});

describe('readSetting', () => {
  it('reads numbers within the bounds, and an absent attribute as the default', () => {
    assert.deepEqual(read('jitter', ' 0.25 '), { value: 0.25, warnings: [] });
    assert.deepEqual(read('jitter', null), { value: 0.5, warnings: [] });
    assert.deepEqual(read('maxAttempts', '0'), { value: 0, warnings: [] });
  });

  it('falls back with one warning naming the attribute, the value and what it expected', () => {
    const cases: [Parameters<typeof readSetting>[0], string, RegExp][] = [
      ['maxAttempts', '1.5', /max-attempts="1.5" \(expected an integer from 0 to 1000000\); using 6\./],
      ['jitter', '', /jitter="" \(expected a number from 0 to 1\); using 0.5\./],
      ['heartbeatInterval', '99', /heartbeat-interval="99"/],
      ['gracePeriod', 'soon', /grace-period="soon"/],
      ['reconnect', 'never', /reconnect="never" \(expected auto \| prompt \| off\); using auto\./],
      ['sessionParam', 'a b', /session-param="a b" \(expected a URL query parameter name\); using session\./],
    ];
    for (const [name, value, warning] of cases) {
      const { value: got, warnings } = read(name, value);
      assert.equal(got, (SETTINGS[name] as Row).default, name);
      assert.equal(warnings.length, 1, name);
      assert.match(warnings[0]!, warning);
    }
  });

  it('reads choices in any case, and takes a fallback other than the default when asked', () => {
    assert.equal(read('position', ' Top-Left ').value, 'top-left');
    const warnings: string[] = [];
    assert.equal(readSetting('protocol', 'sesion', warnings, 'session'), 'session');
    assert.match(warnings[0]!, /using session\./);
  });

  it('passes flags and free text through', () => {
    assert.equal(readSetting('pauseHidden', true, []), true);
    assert.equal(read('sessionParam', 'sid').value, 'sid');
    assert.equal(read('persist', 'slot').value, 'slot');
    assert.equal(read('persist', null).value, null);
  });
});
