import path from 'node:path';
import { HistoError } from '../errors';

/** The layouts a patch folder may have, as error messages and help texts name them. */
export const PATCH_FOLDER_LAYOUTS = 'DIR/<class>/<image> or DIR/<class>/<case>/<image>';

/** Where one image of a patch folder sits: its class folder and, one level down, its case folder. */
export interface PatchImagePlace {
  className: string;
  /** The case (patient, slide of origin) folder, or null for an image directly in its class folder. */
  caseName: string | null;
}

/**
 * The class and case of an image from its path under the folder's root, or why it has none:
 * `loose` when it lies in the root itself, `too-deep` under more than one case level.
 */
export function patchImagePlace(root: string, file: string): PatchImagePlace | 'loose' | 'too-deep' {
  const parts = path.relative(root, file).split(/[\\/]/);
  if (parts.length === 1) return 'loose';
  if (parts.length > 3) return 'too-deep';
  return { className: parts[0]!, caseName: parts.length === 3 ? parts[1]! : null };
}

/**
 * Places every image of a patch folder (DIR/<class>/<image>, or DIR/<class>/<case>/<image>, both
 * in one class folder allowed), or a one-line error naming the first image out of place and the
 * layouts accepted. An error rather than a skip: a half-imported dataset would train silently on
 * part of it.
 */
export function layOutPatchFolder(root: string, files: readonly string[]): Array<PatchImagePlace & { path: string }> {
  if (files.length === 0) throw new HistoError('BAD_INPUT', `${root}: no PNG or JPEG images in class folders (expected ${PATCH_FOLDER_LAYOUTS})`);
  return files.map((file) => {
    const place = patchImagePlace(root, file);
    if (place === 'loose') throw new HistoError('BAD_INPUT', `${file}: lies directly in ${root}; put each image in its class folder (${PATCH_FOLDER_LAYOUTS})`);
    if (place === 'too-deep') throw new HistoError('BAD_INPUT', `${file}: nested too deep in ${root}; one level of case folders at most (${PATCH_FOLDER_LAYOUTS})`);
    return { path: file, ...place };
  });
}
