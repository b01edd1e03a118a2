import type { CliCommand } from '../command';
import { infoCommand } from './info';
import { demoCommand } from './demo';
import { projectCreateCommand, projectInfoCommand } from './project';
import { serveCommand } from './serve';
import { backboneBenchCommand, backboneImportCommand, backboneListCommand } from './backbone';
import { embedCommand, embeddingsExportCommand } from './embed';
import { compareCommand } from './compare';
import { predictCommand } from './predict';
import { auditCommand } from './audit';
import { headExportCommand, headsListCommand, trainCommand } from './train';
import { datasetImportFolderCommand, labelsExportCommand, labelsImportCommand, taskCreateCommand, taskListCommand } from './labels';
import { searchCommand } from './search';
import { annotationsExportCommand, annotationsImportCommand } from './annotations';
import { mapCommand } from './map';
import { projectMergeCommand } from './merge';
import { clusterMergeCommand, clusterResubmitCommand, clusterSbatchCommand, clusterStatusCommand } from './cluster';
import { slideInfoCommand, slideRegionCommand, slideThumbnailCommand, tilesCommand } from './slide';

/** Every `histo` command; `histo --help` lists them in this order. */
export const commands: CliCommand[] = [
  infoCommand,
  projectCreateCommand,
  projectInfoCommand,
  projectMergeCommand,
  slideInfoCommand,
  slideRegionCommand,
  slideThumbnailCommand,
  tilesCommand,
  backboneImportCommand,
  backboneListCommand,
  backboneBenchCommand,
  embedCommand,
  embeddingsExportCommand,
  taskCreateCommand,
  taskListCommand,
  datasetImportFolderCommand,
  labelsImportCommand,
  labelsExportCommand,
  annotationsImportCommand,
  annotationsExportCommand,
  trainCommand,
  headsListCommand,
  headExportCommand,
  compareCommand,
  predictCommand,
  auditCommand,
  searchCommand,
  mapCommand,
  clusterSbatchCommand,
  clusterStatusCommand,
  clusterResubmitCommand,
  clusterMergeCommand,
  demoCommand,
  serveCommand,
];
