// The Electron shell: a window with secure defaults, the IPC gate and nothing else. All work is
// done by the core, which runs unchanged under plain Node for the CLI, the server and the tests; in
// the app it runs in a utility process (the core host), so this process only routes and owns windows.
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';
import { ipcChannels } from '../../src-shared/contract/ipc-channels';
import { rendererDir } from '../core/app-root';
import { contentSecurityPolicy } from '../../src-shared/security/content-security-policy';
import { createIpcCallHandler } from './ipc-handler';
import { createSlideProtocolHandler, SLIDE_PROTOCOL, slideProtocolPrivileges } from './slide-protocol';
import { decidePermission, isAllowedNavigation, isAllowedRequest, secureWebPreferences } from './window-security';
import { claimSingleInstance } from './single-instance';
import { withNativeDialogs, type NativeDialogRequest } from './native-dialogs';
import { startUtilityCoreHost } from './utility-core-host';
import { SupervisedCore } from '../core/host/supervised-core';

let mainWindow: BrowserWindow | null = null;
// A second launch focuses this window and quits before it opens anything.
const isSoleInstance = claimSingleInstance(app, () => mainWindow);
// Started once the app is ready (utility processes cannot start before).
let core: SupervisedCore | null = null;
// Must run before the app is ready: slide tiles, thumbnails and masks load as histo://slides/...
protocol.registerSchemesAsPrivileged([{ scheme: SLIDE_PROTOCOL, privileges: slideProtocolPrivileges }]);
const indexFile = path.join(rendererDir(), 'index.html');
const indexUrl = `file://${indexFile.split(path.sep).join('/')}`;

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(decidePermission(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => decidePermission(permission));
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] } }),
  );
}

function createWindow(): void {
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'Histo Workstation',
    show: false,
    webPreferences: secureWebPreferences(path.join(__dirname, 'preload.cjs')),
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  void mainWindow.loadFile(indexFile);
  mainWindow.on('closed', () => (mainWindow = null));
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, indexUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, indexUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

// Dialogs are modal to our window; without one (closing) the call just reports a cancel.
function showNativeDialog(request: NativeDialogRequest) {
  if (!mainWindow) return Promise.resolve({ canceled: true });
  return request.kind === 'save' ? dialog.showSaveDialog(mainWindow, request.options) : dialog.showOpenDialog(mainWindow, request.options);
}

void app.whenReady().then(() => {
  if (!isSoleInstance) return;
  hardenSession();
  // A core process that dies (a native crash, the OS reclaiming memory) is started again.
  const host = (core = new SupervisedCore(startUtilityCoreHost, { onRestart: (reason) => console.error(`Histo Workstation core stopped (${reason}); restarting it.`) }));
  host.onJobEvent((payload) => mainWindow?.webContents.send(ipcChannels.event, 'job.progress', payload));
  const handleCall = createIpcCallHandler(withNativeDialogs((method, input) => host.dispatch(method, input), showNativeDialog), (event) => {
    const frame = event.senderFrame;
    return mainWindow !== null && event.sender.id === mainWindow.webContents.id && frame !== null && isAllowedNavigation(frame.url, indexUrl);
  });
  protocol.handle(SLIDE_PROTOCOL, createSlideProtocolHandler((pathname, query) => host.renderSlideImage(pathname, query)));
  ipcMain.handle(ipcChannels.call, (event, method: unknown, input: unknown) => handleCall(event, method, input));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
// The core closes its project (and cancels its jobs) before the app exits; quitting waits for it once.
app.on('will-quit', (event) => {
  const host = core;
  if (!host) return;
  core = null;
  event.preventDefault();
  void host.close().finally(() => app.quit());
});
