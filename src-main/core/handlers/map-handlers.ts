import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { HistoError } from '../errors';
import { BackbonesRepo } from '../project/repos/backbones-repo';
import { exportMap } from '../map/export-map';
import { mapColors } from '../map/map-colors';
import { MapsRepo } from '../project/repos/maps-repo';
import { checkMappable, mapInWorker } from '../map/run-map-job';

type MapMethods = 'map.start' | 'map.get' | 'map.export';

export function mapHandlers(core: CoreContext): Pick<Handlers, MapMethods> {
  return {
    'map.start': ({ backbone: ref, sample }) => {
      const store = core.requireProject();
      const backbone = new BackbonesRepo(store.db).resolve(ref);
      checkMappable(store, backbone);
      return { jobId: core.jobs.start('map', (ctx) => mapInWorker(store, backbone, sample, ctx)).jobId };
    },
    'map.get': ({ backbone: ref, colorBy }) => {
      const store = core.requireProject();
      const backbone = new BackbonesRepo(store.db).resolve(ref);
      const map = new MapsRepo(store.db).load(backbone.id);
      if (!map) return null;
      const x: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < map.tileIds.length; i++) {
        x.push(map.coords[i * 2]!);
        y.push(map.coords[i * 2 + 1]!);
      }
      return { backbone: backbone.name, method: map.method, createdAt: map.createdAt, seconds: map.seconds, tileIds: Array.from(map.tileIds), x, y, colors: mapColors(store, map.tileIds, colorBy) };
    },
    'map.export': ({ backbone: ref, out }) => {
      const store = core.requireProject();
      const backbone = new BackbonesRepo(store.db).resolve(ref);
      const map = new MapsRepo(store.db).load(backbone.id);
      if (!map) throw new HistoError('NOT_FOUND', `backbone '${backbone.name}' has no map yet: press Compute map in Map`, { cli: `backbone '${backbone.name}' has no map yet: compute one first with 'histo map'` });
      return exportMap(store, map, out);
    },
  };
}
