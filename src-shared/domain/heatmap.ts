/**
 * Longer side, in pixels, of a heatmap image the core renders: enough to look smooth at the zoom
 * where tiles are still small. The renderer places the overlay with the same figure.
 */
export const HEATMAP_MAX_SIDE = 2048;
