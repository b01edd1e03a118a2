/**
 * One app instance per user: a second launch hands over to the first (whose window comes to the
 * front) and quits, so two windows never hold the same project by accident. The Electron objects
 * come in as arguments, so this runs and is tested under plain Node.
 */
export interface InstanceApp {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
}

export interface FocusableWindow {
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
}

/** True when this process is the one instance; false after asking the running one to come forward and quitting. */
export function claimSingleInstance(app: InstanceApp, currentWindow: () => FocusableWindow | null): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => {
    const window = currentWindow();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  return true;
}
