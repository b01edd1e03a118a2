/**
 * What the app can do with a file, judged by its name alone: the one list the file browser, the
 * native dialogs' filters, drag-and-drop routing and the slide folder scan share.
 */
export type FileKind = 'slide' | 'backbone' | 'labels' | 'project';

/** Slide and patch image names a folder scan picks up (.ome.tif / .ome.tiff end in .tif / .tiff too). */
export const SLIDE_EXTENSIONS = ['.svs', '.tif', '.tiff', '.btf', '.ndpi', '.scn', '.bif', '.mrxs', '.png', '.jpg', '.jpeg'] as const;
/** One DICOM WSI instance; a folder of them is one slide. */
export const DICOM_EXTENSION = '.dcm';

export const FILE_KIND_EXTENSIONS: Readonly<Record<FileKind, readonly string[]>> = {
  slide: [...SLIDE_EXTENSIONS, DICOM_EXTENSION],
  backbone: ['.onnx'],
  // QuPath GeoJSON, label tables, Aperio ImageScope annotation XML.
  labels: ['.geojson', '.json', '.csv', '.xml'],
  project: ['.histo'],
};

/** Words people read for each kind, in dialogs' filters and the file browser. */
export const FILE_KIND_TITLES: Readonly<Record<FileKind, string>> = {
  slide: 'Slides and patches',
  backbone: 'ONNX backbones',
  labels: 'Labels (GeoJSON, CSV, ImageScope XML)',
  project: 'Histo projects',
};

function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  const dot = lower.lastIndexOf('.');
  return dot <= 0 ? '' : lower.slice(dot);
}

/**
 * The kind of a file by its name, or null for anything the app does not open. A backbone's `.json`
 * sidecar is not a label file: it travels with its `.onnx`, which is what gets imported.
 */
export function fileKindOf(name: string, siblingNames: readonly string[] = []): FileKind | null {
  const ext = extensionOf(name);
  if (ext === '') return null;
  if (ext === '.json') {
    const stem = name.slice(0, -'.json'.length);
    if (siblingNames.some((sibling) => sibling.toLowerCase() === `${stem}.onnx`.toLowerCase())) return null;
  }
  for (const kind of Object.keys(FILE_KIND_EXTENSIONS) as FileKind[]) {
    if (FILE_KIND_EXTENSIONS[kind].includes(ext)) return kind;
  }
  return null;
}

export function looksLikeSlideFile(name: string): boolean {
  const ext = extensionOf(name);
  return (SLIDE_EXTENSIONS as readonly string[]).includes(ext);
}
