import os from 'node:os';
import type { Handlers } from '../dispatch';
import type { CoreContext } from '../core-context';
import { exportAnnotations, importAnnotations } from '../annotations/annotation-files';
import { ViewerAnnotations } from '../annotations/viewer-annotations';

type AnnotationMethods =
  | 'annotations.list'
  | 'annotations.labelledTiles'
  | 'annotations.create' | 'annotations.update' | 'annotations.delete' | 'annotations.labelTile' | 'annotations.import' | 'annotations.export';

export function annotationHandlers(core: CoreContext): Pick<Handlers, AnnotationMethods> {
  const viewer = () => new ViewerAnnotations(core.requireProject());
  const author = (given: string | undefined) => given ?? os.userInfo().username;
  return {
    'annotations.list': ({ task, slideId }) => viewer().list(task, slideId),
    'annotations.labelledTiles': ({ task, slideId }) => viewer().labelledTiles(task, slideId),
    'annotations.create': ({ author: by, ...request }) => viewer().create({ ...request, author: author(by) }),
    'annotations.update': ({ id, ...change }) => viewer().update(id, change),
    'annotations.delete': ({ id }) => viewer().delete(id),
    'annotations.labelTile': ({ author: by, ...request }) => viewer().labelTile({ ...request, author: author(by) }),
    'annotations.import': ({ author: by, ...request }) => importAnnotations(core.requireProject(), { ...request, author: author(by) }),
    'annotations.export': (request) => exportAnnotations(core.requireProject(), request),
  };
}
