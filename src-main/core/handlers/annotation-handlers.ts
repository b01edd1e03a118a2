import os from 'node:os';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { exportAnnotations, importAnnotations } from '../annotations/annotation-files';
import { ViewerAnnotations } from '../annotations/viewer-annotations';

type AnnotationMethods =
  | 'annotation.list'
  | 'annotation.labelledTiles'
  | 'annotation.create' | 'annotation.update' | 'annotation.delete' | 'annotation.labelTile' | 'annotation.import' | 'annotation.export';

export function annotationHandlers(core: CoreContext): Pick<Handlers, AnnotationMethods> {
  const viewer = () => new ViewerAnnotations(core.requireProject());
  const author = (given: string | undefined) => given ?? os.userInfo().username;
  return {
    'annotation.list': ({ task, slideId }) => viewer().list(task, slideId),
    'annotation.labelledTiles': ({ task, slideId }) => viewer().labelledTiles(task, slideId),
    'annotation.create': ({ author: by, ...request }) => viewer().create({ ...request, author: author(by) }),
    'annotation.update': ({ id, ...change }) => viewer().update(id, change),
    'annotation.delete': ({ id }) => viewer().delete(id),
    'annotation.labelTile': ({ author: by, ...request }) => viewer().labelTile({ ...request, author: author(by) }),
    'annotation.import': ({ author: by, ...request }) => importAnnotations(core.requireProject(), { ...request, author: author(by) }),
    'annotation.export': (request) => exportAnnotations(core.requireProject(), request),
  };
}
