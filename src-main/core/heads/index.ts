// The classifier-head library: heads trained on stored embeddings, their evaluation and curves.
export * from './dataset';
export * from './standardize';
export * from './preprocessing';
export * from './auto-preprocessing';
export { fitLogisticRegression, predictLogisticRegression, LOGREG_DEFAULTS, rowWeights, type ClassWeight, type LogRegModel, type LogRegParams } from './logistic-regression';
export * from './mlp';
export * from './knn';
export * from './head';
export * from './metrics';
export * from './cross-validation';
export * from './feature-augmentation';
export * from './evaluate';
export * from './learning-curve';
export * from './synthetic-data';
export { createRng, type Rng } from './random';
