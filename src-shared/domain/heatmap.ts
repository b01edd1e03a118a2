/**
 * Longer side, in pixels, of a heatmap image the core renders: enough to look smooth at the zoom
 * where tiles are still small. The renderer places the overlay with the same figure.
 */
export const HEATMAP_MAX_SIDE = 2048;

/**
 * Heatmap scores up to HEATMAP_TRANSPARENT_BELOW are drawn fully transparent, rising to full
 * opacity at HEATMAP_OPAQUE_FROM, so tissue the head finds unremarkable stays visible under the
 * map. The core paints with them and the legend shows the same fade.
 */
export const HEATMAP_TRANSPARENT_BELOW = 0.1;
export const HEATMAP_OPAQUE_FROM = 0.5;
