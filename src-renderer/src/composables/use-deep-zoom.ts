import OpenSeadragon from 'openseadragon';
import { onBeforeUnmount, onMounted, ref, shallowRef, watch, type Ref } from 'vue';
import { DEEP_ZOOM_TILE_SIZE, deepZoomLevels, type SlideSummary } from '../../../src-shared/contract';
import { slideImageUrls } from '../api/slide-images';

/**
 * The slide as an OpenSeadragon custom tile source: its levels are the deep-zoom pyramid the core
 * renders (shared geometry in the contract), each tile a plain image URL.
 */
function tileSourceOf(slide: SlideSummary): OpenSeadragon.TileSourceSpecifier {
  const { maxLevel, minLevel } = deepZoomLevels(slide.width, slide.height);
  const source = {
    width: slide.width,
    height: slide.height,
    tileSize: DEEP_ZOOM_TILE_SIZE,
    tileOverlap: 0,
    minLevel,
    maxLevel,
    getTileUrl: (level: number, x: number, y: number) => slideImageUrls.tile(slide, level, x, y),
  };
  // OpenSeadragon takes an object with getTileUrl as a custom tile source; its typings do not say so.
  return source as unknown as OpenSeadragon.TileSourceSpecifier;
}

/**
 * One deep-zoom viewer of a slide in `element`, created on mount and destroyed on unmount.
 * `onCreated` adds the viewer's own handlers and overlays before it is exposed; `tilesLoaded`
 * counts the tiles drawn since the slide was last opened (the e2e tests read it); `screenMpp` is
 * the µm one screen pixel spans at the current zoom (null while the slide's resolution is unknown),
 * which the scale bar and magnification read; `maximised` lets the viewer fill the window.
 */
export function useDeepZoom(element: Ref<HTMLDivElement | null>, slide: () => SlideSummary, onCreated?: (osd: OpenSeadragon.Viewer) => void) {
  const viewer = shallowRef<OpenSeadragon.Viewer | null>(null);
  const tilesLoaded = ref(0);
  const screenMpp = ref<number | null>(null);
  const maximised = ref(false);

  function updateScreenMpp(): void {
    const osd = viewer.value;
    const current = slide();
    const item = osd?.world.getItemAt(0);
    if (!osd || !item || current.mppX === null) {
      screenMpp.value = null;
      return;
    }
    const origin = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(0, 0));
    const corner = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(current.width, 0));
    const screenPixelsPerSlidePixel = (corner.x - origin.x) / current.width;
    screenMpp.value = screenPixelsPerSlidePixel > 0 ? current.mppX / screenPixelsPerSlidePixel : null;
  }

  function toggleMaximised(): void {
    maximised.value = !maximised.value;
  }

  // Escape leaves the maximised view, as it leaves a browser's fullscreen.
  function onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && maximised.value) maximised.value = false;
  }
  watch(maximised, (on) => (on ? window.addEventListener('keydown', onKey) : window.removeEventListener('keydown', onKey)));

  /** Opens the current slide again (another slide, or the same one changed on disk). */
  function openSlide(): void {
    tilesLoaded.value = 0;
    viewer.value?.open(tileSourceOf(slide()));
  }

  function zoomBy(factor: number): void {
    viewer.value?.viewport.zoomBy(factor);
    viewer.value?.viewport.applyConstraints();
  }

  function goHome(): void {
    viewer.value?.viewport.goHome();
  }

  onMounted(() => {
    const osd = OpenSeadragon({
      element: element.value!,
      tileSources: tileSourceOf(slide()),
      // Our own buttons: OpenSeadragon's need image files from a prefixUrl we do not ship.
      showNavigationControl: false,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorSizeRatio: 0.16,
      navigatorAutoFade: false,
      drawer: 'canvas',
      crossOriginPolicy: 'Anonymous',
      animationTime: 0.6,
      blendTime: 0.1,
      maxZoomPixelRatio: 2,
      visibilityRatio: 0.6,
      minZoomImageRatio: 0.6,
      imageLoaderLimit: 8,
      timeout: 60_000,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
    });
    onCreated?.(osd);
    osd.addHandler('tile-loaded', () => tilesLoaded.value++);
    for (const event of ['open', 'update-viewport', 'resize'] as const) osd.addHandler(event, updateScreenMpp);
    viewer.value = osd;
  });

  onBeforeUnmount(() => {
    window.removeEventListener('keydown', onKey);
    viewer.value?.destroy();
    viewer.value = null;
  });

  return { viewer, tilesLoaded, openSlide, zoomBy, goHome, screenMpp, maximised, toggleMaximised };
}
