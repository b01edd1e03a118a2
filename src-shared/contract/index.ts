import type { z } from '../zod';
import { appMethods } from './app';
import { JobEvent, jobMethods } from './jobs';
import { projectMethods } from './project';
import { slideMethods } from './slides';
import { backboneMethods } from './backbones';
import { trainingMethods } from './training';
import { compareMethods } from './compare';
import { predictionMethods } from './prediction';
import { reviewUndoMethods } from './review-undo';
import { auditMethods } from './audit';
import { searchMethods } from './search';
import { mapMethods } from './map';
import { clusterMethods } from './cluster';
import { fileMethods } from './files';
import { demoMethods } from './demo';
import { annotationMethods } from './annotations';
import { patchSetMethods } from './patch-sets';
import { trainingCheckMethods } from './training-checks';
import { listMethods } from './lists';
import type { CallEnvelope } from './errors';

export * from './app';
export * from './errors';
export * from './jobs';
export * from './job-results';
export * from './training-results';
export * from './project';
export * from './slides';
export * from './backbones';
export * from './training';
export * from './compare';
export * from './prediction';
export * from './review-undo';
export * from './audit';
export * from './search';
export * from './map';
export * from './cluster';
export * from './files';
export * from './demo';
export * from './annotations';
export * from './patch-sets';
export * from './training-checks';
export * from './lists';
export * from './shard';
export * from './ipc-channels';

/**
 * The whole UI/core contract: every method with the schema of its input and its output.
 * Handlers are registered only for these names; anything else is refused at the boundary.
 */
export const contract = {
  ...appMethods,
  ...projectMethods,
  ...jobMethods,
  ...slideMethods,
  ...backboneMethods,
  ...trainingMethods,
  ...compareMethods,
  ...predictionMethods,
  ...reviewUndoMethods,
  ...auditMethods,
  ...searchMethods,
  ...mapMethods,
  ...clusterMethods,
  ...fileMethods,
  ...demoMethods,
  ...annotationMethods,
  ...patchSetMethods,
  ...trainingCheckMethods,
  ...listMethods,
} as const;

/** Events the core pushes to the UI. */
export const events = {
  'job.progress': JobEvent,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const methodNames = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/**
 * Names renamed to singular nouns in 0.2 (`slide.list`, `head.list`): each old name still answers,
 * as its new name, for one version; remove this map in 0.3.
 */
export const methodAliases = {
  'slides.import': 'slide.import',
  'slides.list': 'slide.list',
  'slides.setMpp': 'slide.setMpp',
  'slides.overlay': 'slide.overlay',
  'heads.list': 'head.list',
  'labels.import': 'label.import',
  'labels.export': 'label.export',
} as const satisfies Record<string, MethodName>;
export type MethodAlias = keyof typeof methodAliases;

/** The contract's name for a method name or a kept old name; null for anything else. */
export function canonicalMethodName(name: unknown): MethodName | null {
  if (isMethodName(name)) return name;
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodAliases, name)) return methodAliases[name as MethodAlias];
  return null;
}

/**
 * What the renderer sees, in Electron (`window.histo`) and in a browser (the HTTP/WS client):
 * a call returns the envelope rather than throwing, so errors keep their code across the bridge.
 */
export interface HistoBridge {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<CallEnvelope<MethodOutput<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Electron only: the file system path of a dropped File (webUtils.getPathForFile); '' when it has none. */
  pathForFile?(file: object): string;
  /**
   * Browser mode only: sends a dropped File to `histo serve`, which keeps it beside the open project
   * (a page cannot read a path off a dropped file); resolves to the stored file's path.
   */
  uploadFile?(file: object, onProgress?: (sent: number, total: number) => void): Promise<CallEnvelope<{ path: string }>>;
}
