/** Overlay attributes → settings: each `overlay` row of the settings table, read (fall back and warn) as its row says. */
import { readSetting, settingsFor, type Parsed, type SettingName } from '../settings.js';

export type OverlaySettingName = Extract<SettingName, 'overlay' | 'position' | 'gracePeriod' | 'reconnectedDuration'>;
export type OverlayConfig = { [K in OverlaySettingName]: Parsed<K> };
export type OverlayMode = OverlayConfig['overlay'];
export type OverlayPosition = OverlayConfig['position'];

export const OVERLAY_SETTINGS = settingsFor('overlay') as OverlaySettingName[];

export function parseOverlayConfig(raw: Record<OverlaySettingName, string | null>): {
  config: OverlayConfig;
  warnings: string[];
} {
  const warnings: string[] = [];
  const config = {} as Record<OverlaySettingName, unknown>;
  for (const name of OVERLAY_SETTINGS) config[name] = readSetting(name, raw[name], warnings);
  return { config: config as OverlayConfig, warnings };
}
