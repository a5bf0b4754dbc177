import type { CliIO } from './io.js';

/** A display a browser could open on. Over SSH or on a server there is none. */
export function hasDisplay(io: CliIO): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return !io.env['SSH_CONNECTION'];
  return Boolean(io.env['DISPLAY'] || io.env['WAYLAND_DISPLAY']);
}
