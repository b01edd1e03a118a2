import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { claimSingleInstance, type FocusableWindow, type InstanceApp } from '../../src-main/electron/single-instance';

/**
 * Two launches sharing one lock, as Electron's requestSingleInstanceLock does between processes:
 * the first keeps running, the second quits, and the first's window comes forward.
 */
function launches() {
  const holders: EventEmitter[] = [];
  class Launch extends EventEmitter implements InstanceApp {
    quitCalled = false;
    requestSingleInstanceLock(): boolean {
      const holder = holders[0];
      if (holder) {
        holder.emit('second-instance');
        return false;
      }
      holders.push(this);
      return true;
    }
    quit(): void {
      this.quitCalled = true;
    }
  }
  return () => new Launch();
}

function window(minimized: boolean) {
  const calls: string[] = [];
  const win: FocusableWindow = {
    isMinimized: () => minimized,
    restore: () => calls.push('restore'),
    show: () => calls.push('show'),
    focus: () => calls.push('focus'),
  };
  return { win, calls };
}

describe('claimSingleInstance', () => {
  it('lets the first launch run and makes the second quit, bringing the first window forward', () => {
    const launch = launches();
    const first = launch();
    const { win, calls } = window(true);
    expect(claimSingleInstance(first, () => win)).toBe(true);
    expect(first.quitCalled).toBe(false);

    const second = launch();
    expect(claimSingleInstance(second, () => null)).toBe(false);
    expect(second.quitCalled).toBe(true);
    expect(calls).toEqual(['restore', 'show', 'focus']);
  });

  it('does nothing to a window that is not minimized beyond showing and focusing it, and tolerates no window yet', () => {
    const launch = launches();
    let current: FocusableWindow | null = null;
    expect(claimSingleInstance(launch(), () => current)).toBe(true);
    expect(claimSingleInstance(launch(), () => null)).toBe(false); // the first has no window yet: no crash
    const { win, calls } = window(false);
    current = win;
    expect(claimSingleInstance(launch(), () => null)).toBe(false);
    expect(calls).toEqual(['show', 'focus']);
  });
});
