/** Overlay attributes → settings, read by their rows in the settings table (fall back and warn, as the client's). */
import { readSetting, type Parsed } from '../settings.js';

export type OverlayMode = Parsed<'overlay'>;
export type OverlayPosition = Parsed<'position'>;

export interface OverlayConfig {
  mode: OverlayMode;
  position: OverlayPosition;
  gracePeriod: number;
  reconnectedDuration: number;
}

export function parseOverlayConfig(raw: {
  overlay: string | null;
  position: string | null;
  gracePeriod: string | null;
  reconnectedDuration: string | null;
}): { config: OverlayConfig; warnings: string[] } {
  const warnings: string[] = [];
  return {
    config: {
      mode: readSetting('overlay', raw.overlay, warnings),
      position: readSetting('position', raw.position, warnings),
      gracePeriod: readSetting('gracePeriod', raw.gracePeriod, warnings),
      reconnectedDuration: readSetting('reconnectedDuration', raw.reconnectedDuration, warnings),
    },
    warnings,
  };
}
