/** Overlay attributes → settings, with the same fall-back-and-warn rule as the connection settings. */
import { attributeParsers } from '../config.js';

export type OverlayMode = 'toast' | 'modal' | 'none';
export type OverlayPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left' | 'top' | 'bottom' | 'center';

export interface OverlayConfig {
  mode: OverlayMode;
  position: OverlayPosition;
  gracePeriod: number;
  reconnectedDuration: number;
}

export const POSITIONS: readonly OverlayPosition[] = [
  'bottom-right',
  'bottom-left',
  'top-right',
  'top-left',
  'top',
  'bottom',
  'center',
];

export function parseOverlayConfig(raw: {
  overlay: string | null;
  position: string | null;
  gracePeriod: string | null;
  reconnectedDuration: string | null;
}): { config: OverlayConfig; warnings: string[] } {
  const warnings: string[] = [];
  const { number, choice } = attributeParsers(warnings);
  return {
    config: {
      mode: choice('overlay', raw.overlay, ['toast', 'modal', 'none'] as const, 'toast'),
      position: choice('position', raw.position, POSITIONS, 'bottom-right'),
      gracePeriod: number('grace-period', raw.gracePeriod, 500, 0, 60_000),
      reconnectedDuration: number('reconnected-duration', raw.reconnectedDuration, 2000, 0, 60_000),
    },
    warnings,
  };
}
