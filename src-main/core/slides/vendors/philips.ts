import type { AssociatedImageName } from '../../../../src-shared/domain/slide';
import { badSlide } from '../slide-error';
import type { TiffContainer } from '../tiff/tiff-container';
import { tagString } from '../tiff/tiff-file';
import type { TiffImage } from '../tiff/tiff-image';
import { Tag } from '../tiff/tiff-tags';
import { plausibleMpp } from './resolution';
import type { TiffLayout, TiffVendor } from './tiff-vendor';
import { addAssociated, namedAssociated } from './tiff-vendor';
import type { XmlNode } from './xml';
import { declaresEntities, xmlFindAll, xmlTree } from './xml';

/** The value of `<Attribute Name="name">` directly under a DataObject. */
function attribute(object: XmlNode, name: string): string | undefined {
  return object.children.find((c) => c.name === 'Attribute' && c.attrs.get('Name') === name)?.text;
}

/** DICOM_PIXEL_SPACING as written: two quoted numbers, row then column spacing in mm. */
function pixelSpacing(object: XmlNode): [number, number] | null {
  const values = (attribute(object, 'DICOM_PIXEL_SPACING') ?? '').replace(/"/g, ' ').trim().split(/\s+/).map(Number);
  return values.length >= 2 && values.every((v) => Number.isFinite(v) && v > 0) ? [values[0]!, values[1]!] : null;
}

/** The label and macro photos some Philips files keep in the XML as Base64 JPEGs (PIM_DP_IMAGE_DATA). */
function encodedImages(root: XmlNode): Map<AssociatedImageName, Uint8Array> {
  const out = new Map<AssociatedImageName, Uint8Array>();
  for (const object of xmlFindAll(root, 'DataObject')) {
    if (object.attrs.get('ObjectType') !== 'DPScannedImage') continue;
    const type = attribute(object, 'PIM_DP_IMAGE_TYPE');
    const name = type === 'LABELIMAGE' ? 'label' : type === 'MACROIMAGE' ? 'macro' : null;
    const data = attribute(object, 'PIM_DP_IMAGE_DATA')?.replace(/\s+/g, '');
    if (name && data && !out.has(name)) out.set(name, new Uint8Array(Buffer.from(data, 'base64')));
  }
  return out;
}

/**
 * Philips TIFF (OpenSlide's philips backend): Software starts with 'Philips' and the
 * ImageDescription is XML whose root is DataObject ObjectType="DPUfsImport". TIFF level sizes
 * are padded to whole tiles, so each level's true size comes from level 0's size divided by the
 * downsample its pixel spacing gives; label and macro are the directories so described, or else
 * the Base64 JPEGs of the XML's LABELIMAGE and MACROIMAGE objects.
 */
export const philips: TiffVendor = {
  matches(container) {
    const first = container.pages[0]!;
    return (tagString(first.ifd, Tag.Software) ?? '').startsWith('Philips') && /<DataObject\s[^>]*ObjectType="DPUfsImport"/.test(first.description.slice(0, 4096));
  },
  layout(container: TiffContainer): TiffLayout {
    const path = container.path;
    const [first, ...rest] = container.pages;
    const xml = first!.description;
    if (declaresEntities(xml)) throw badSlide(path, 'Philips ImageDescription XML declares entities, which a scanner never writes (refused as hostile)');
    const root = xmlTree(xml);
    if (!root || root.name !== 'DataObject') throw badSlide(path, 'Philips ImageDescription XML cannot be parsed');
    const wsi = xmlFindAll(root, 'DataObject').find((o) => o.attrs.get('ObjectType') === 'DPScannedImage' && attribute(o, 'PIM_DP_IMAGE_TYPE') === 'WSI');
    const spacings = wsi ? xmlFindAll(wsi, 'DataObject').filter((o) => o.attrs.get('ObjectType') === 'PixelDataRepresentation').map(pixelSpacing) : [];
    const baseSpacing = (wsi && pixelSpacing(wsi)) ?? spacings[0] ?? null;

    const associated = new Map<AssociatedImageName, TiffImage>();
    const tiled: TiffImage[] = [first!];
    for (const page of rest) {
      if (!addAssociated(associated, namedAssociated(page), page) && page.tiled) tiled.push(page);
    }
    // Level i's downsample from its pixel spacing (the i-th representation); its size from level 0's.
    const levels: TiffImage[] = [first!];
    for (const [i, page] of tiled.entries()) {
      if (i === 0) continue;
      const spacing = spacings[i];
      const ds = spacing && spacings[0] ? spacing[1] / spacings[0][1] : first!.width / page.width;
      const width = Math.min(page.width, Math.round(first!.width / ds));
      const height = Math.min(page.height, Math.round(first!.height / ds));
      const last = levels[levels.length - 1]!;
      if (width < last.width && height < last.height && width > 0 && height > 0) levels.push({ ...page, width, height });
    }
    return {
      format: 'philips-tiff', vendor: 'philips', levels, associated, encodedAssociated: encodedImages(root),
      mppX: baseSpacing ? plausibleMpp(baseSpacing[1] * 1000) : null,
      mppY: baseSpacing ? plausibleMpp(baseSpacing[0] * 1000) : null,
      magnification: null,
    };
  },
};
