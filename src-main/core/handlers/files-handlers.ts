import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { HistoError } from '../errors';
import { routeDrop } from '../../../src-shared/domain/drop-routing';
import { inspectPaths } from '../files/inspect-paths';
import { listFolder, startingPlaces } from '../files/list-folder';

export function filesHandlers(core: CoreContext): Pick<Handlers, 'file.pick' | 'file.list' | 'file.route'> {
  return {
    // The Electron shell answers this call itself with a native dialog; no other front end has one.
    'file.pick': () => {
      throw new HistoError('BAD_INPUT', 'native file dialogs exist only in the desktop app: use the Browse… file browser');
    },
    'file.list': async (input) => {
      const places = startingPlaces(core.currentProject?.path ?? null);
      return listFolder(input.dir ?? places[places.length - 1]!.path, { kinds: input.kinds, places });
    },
    'file.route': async (input) => routeDrop(await inspectPaths(input.paths)),
  };
}
