/**
 * Readies a canvas laid over a viewer for a fresh frame: sized to `host` in device pixels (sharp on
 * high-DPI screens), cleared, and drawing in CSS pixels. Null when the canvas has no 2-D context.
 */
export function clearedOverlay(canvas: HTMLCanvasElement, host: HTMLElement): { ctx: CanvasRenderingContext2D; width: number; height: number } | null {
  const ratio = window.devicePixelRatio || 1;
  const [width, height] = [host.clientWidth, host.clientHeight];
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}
