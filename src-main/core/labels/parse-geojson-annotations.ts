import { HistoError } from '../errors';
import type { Polygon, Ring } from './geojson-geometry';

/** One QuPath annotation: its class and its polygons in level-0 pixels. */
export interface Annotation {
  feature: number;
  className: string;
  polygons: Polygon[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function ring(value: unknown, where: string): Ring {
  if (!Array.isArray(value) || value.length < 4) throw new HistoError('BAD_INPUT', `${where}: a polygon ring needs at least 4 positions`);
  return value.map((position, i) => {
    if (!Array.isArray(position) || position.length < 2 || !position.slice(0, 2).every((c) => typeof c === 'number' && Number.isFinite(c))) {
      throw new HistoError('BAD_INPUT', `${where}: position ${i + 1} is not a pair of numbers (${JSON.stringify(position)?.slice(0, 60)})`);
    }
    return [position[0] as number, position[1] as number];
  });
}

function polygons(geometry: unknown, where: string): Polygon[] {
  if (!isRecord(geometry)) throw new HistoError('BAD_INPUT', `${where}: has no geometry`);
  const coordinates = geometry.coordinates;
  const polygon = (rings: unknown, at: string): Polygon => {
    if (!Array.isArray(rings) || rings.length === 0) throw new HistoError('BAD_INPUT', `${at}: coordinates are not a list of rings`);
    return rings.map((r) => ring(r, at));
  };
  if (geometry.type === 'Polygon') return [polygon(coordinates, where)];
  if (geometry.type === 'MultiPolygon') {
    if (!Array.isArray(coordinates)) throw new HistoError('BAD_INPUT', `${where}: coordinates are not a list of polygons`);
    return coordinates.map((p, i) => polygon(p, `${where}, polygon ${i + 1}`));
  }
  throw new HistoError('BAD_INPUT', `${where}: geometry type ${String(geometry.type)} is not supported (Polygon or MultiPolygon)`);
}

/** The class of a QuPath feature: `classification.name`, or the older `classification` string / `name`. */
function classNameOf(properties: unknown, where: string): string {
  if (isRecord(properties)) {
    const classification = properties.classification;
    if (isRecord(classification) && typeof classification.name === 'string') return classification.name;
    if (typeof classification === 'string') return classification;
    if (typeof properties.name === 'string' && properties.name.trim() !== '') return properties.name;
  }
  throw new HistoError('BAD_INPUT', `${where}: has no classification name`);
}

/**
 * Reads QuPath's GeoJSON export (a FeatureCollection, a Feature, or a bare array of features) into
 * annotations. Nothing is accepted partly: the first bad feature fails the file, named by number.
 */
export function parseGeoJsonAnnotations(text: string, file: string): Annotation[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new HistoError('BAD_INPUT', `${file}: not valid JSON (${(err as Error).message})`);
  }
  let features: unknown[];
  if (Array.isArray(document)) features = document;
  else if (isRecord(document) && document.type === 'FeatureCollection' && Array.isArray(document.features)) features = document.features;
  else if (isRecord(document) && document.type === 'Feature') features = [document];
  else throw new HistoError('BAD_INPUT', `${file}: not a GeoJSON FeatureCollection, Feature or array of features`);
  if (features.length === 0) throw new HistoError('BAD_INPUT', `${file}: holds no features`);
  return features.map((feature, index) => {
    const where = `${file}: feature ${index + 1}`;
    if (!isRecord(feature) || feature.type !== 'Feature') throw new HistoError('BAD_INPUT', `${where}: not a GeoJSON Feature`);
    return { feature: index + 1, className: classNameOf(feature.properties, where), polygons: polygons(feature.geometry, where) };
  });
}
