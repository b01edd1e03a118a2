export { pointInPolygon, polygonBounds, type Polygon, type Ring } from '../../../src-shared/domain/polygon-geometry';
