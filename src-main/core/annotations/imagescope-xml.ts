import { closedRing, rectanglePolygon, type Polygon, type Ring } from '../../../src-shared/domain/polygon-geometry';
import { HistoError } from '../errors';
import type { Annotation } from '../labels/parse-geojson-annotations';

/**
 * Aperio ImageScope annotation files (.xml): `<Annotations><Annotation Name=…><Regions><Region
 * Type=… Text=… NegativeROA=…><Vertices><Vertex X= Y=/>…` in level-0 pixels. Read with a small
 * tokenizer of our own rather than a general XML parser: the format needs elements and attributes
 * only, and refusing DOCTYPE and entity declarations outright rules out entity expansion attacks.
 */

/** Region types ImageScope writes: 0 free-hand/polygon, 1 rectangle, 2 ellipse, 4 arrow/ruler (skipped). */
const FREEHAND = 0;
const RECTANGLE = 1;
const ELLIPSE = 2;
const ELLIPSE_SIDES = 32;
const MAX_ELEMENTS = 5_000_000;

interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  /** 1-based line of its start tag, for messages. */
  line: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string, where: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,8});/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Math.min(0x10ffff, parseInt(ref.slice(2), 16)));
    if (ref.startsWith('#')) return String.fromCodePoint(Math.min(0x10ffff, Number(ref.slice(1))));
    const named = ENTITIES[ref];
    if (named === undefined) throw new HistoError('BAD_INPUT', `${where}: unknown entity ${whole}`);
    return named;
  });
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/g;

/** Parses the element tree; comments, the XML declaration and text between elements are skipped. */
export function parseXmlElements(text: string, file: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: new Map(), children: [], line: 1 };
  const open: XmlElement[] = [root];
  let line = 1;
  let elements = 0;
  let at = 0;
  const lineAt = (to: number) => {
    for (let i = at; i < to; i++) if (text.charCodeAt(i) === 10) line++;
    at = to;
  };
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    lineAt(lt);
    const where = `${file}: line ${line}`;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) throw new HistoError('BAD_INPUT', `${where}: a comment is never closed`);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) throw new HistoError('BAD_INPUT', `${where}: a processing instruction is never closed`);
      i = end + 2;
      continue;
    }
    if (text.startsWith('<!', lt)) throw new HistoError('BAD_INPUT', `${where}: DOCTYPE, ENTITY and CDATA are not allowed in an annotation file`);
    TAG.lastIndex = lt;
    const tag = TAG.exec(text);
    if (!tag) throw new HistoError('BAD_INPUT', `${where}: malformed tag ${JSON.stringify(text.slice(lt, lt + 40))}`);
    const [whole, closing, name, attributeText, selfClosing] = tag as unknown as [string, string, string, string, string];
    i = lt + whole.length;
    if (closing) {
      const current = open.pop();
      if (!current || current === root || current.name !== name) throw new HistoError('BAD_INPUT', `${where}: </${name}> closes ${current && current !== root ? `<${current.name}>` : 'nothing'}`);
      continue;
    }
    if (++elements > MAX_ELEMENTS) throw new HistoError('BAD_INPUT', `${where}: more than ${MAX_ELEMENTS} elements`);
    const attributes = new Map<string, string>();
    for (const attribute of attributeText.matchAll(ATTRIBUTE)) attributes.set(attribute[1]!, decodeEntities(attribute[2] ?? attribute[3] ?? '', where));
    const element: XmlElement = { name, attributes, children: [], line };
    open[open.length - 1]!.children.push(element);
    if (!selfClosing) open.push(element);
  }
  if (open.length > 1) throw new HistoError('BAD_INPUT', `${file}: <${open[open.length - 1]!.name}> (line ${open[open.length - 1]!.line}) is never closed`);
  return root;
}

const childrenNamed = (element: XmlElement, name: string) => element.children.filter((c) => c.name === name);

function number(element: XmlElement, name: string, where: string): number {
  const text = element.attributes.get(name);
  const value = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new HistoError('BAD_INPUT', `${where}: ${name}="${(text ?? '').slice(0, 40)}" is not a number`);
  return value;
}

/** The first non-empty of the region's Text, the annotation's Name, or its first attribute's Value. */
function classNameOf(region: XmlElement, annotation: XmlElement): string | undefined {
  const attributeValue = childrenNamed(annotation, 'Attributes').flatMap((a) => childrenNamed(a, 'Attribute')).map((a) => a.attributes.get('Value') ?? a.attributes.get('Name'));
  return [region.attributes.get('Text'), annotation.attributes.get('Name'), ...attributeValue].map((v) => v?.trim()).find((v) => v);
}

function regionRing(region: XmlElement, where: string): Ring | null {
  const vertices = childrenNamed(region, 'Vertices').flatMap((v) => childrenNamed(v, 'Vertex'));
  const points = vertices.map((v, i) => [number(v, 'X', `${where}, vertex ${i + 1}`), number(v, 'Y', `${where}, vertex ${i + 1}`)] as const);
  const type = region.attributes.has('Type') ? number(region, 'Type', where) : FREEHAND;
  if (type === RECTANGLE || type === ELLIPSE) {
    if (points.length < 2) throw new HistoError('BAD_INPUT', `${where}: a ${type === RECTANGLE ? 'rectangle' : 'ellipse'} needs at least 2 vertices`);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    if (type === RECTANGLE) return rectanglePolygon(x0, y0, x1, y1)[0]!;
    const [cx, cy, rx, ry] = [(x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2];
    return closedRing(Array.from({ length: ELLIPSE_SIDES }, (_, i) => [cx + rx * Math.cos((2 * Math.PI * i) / ELLIPSE_SIDES), cy + ry * Math.sin((2 * Math.PI * i) / ELLIPSE_SIDES)] as const));
  }
  if (type !== FREEHAND) return null; // arrows and rulers mark, they do not enclose
  if (points.length < 3) throw new HistoError('BAD_INPUT', `${where}: a polygon needs at least 3 vertices, it has ${points.length}`);
  return closedRing(points);
}

/**
 * Reads an ImageScope XML file into annotations (the shape GeoJSON import gives): one per Region,
 * its class from the Region's Text or the Annotation's Name. A region with NegativeROA="1" is a
 * hole cut from the annotation's other regions. The first bad element fails the whole file.
 */
export function parseImageScopeXml(text: string, file: string): Annotation[] {
  const document = parseXmlElements(text, file);
  const top = document.children;
  if (top.length !== 1 || top[0]!.name !== 'Annotations') throw new HistoError('BAD_INPUT', `${file}: not an ImageScope annotation file (the root element is not <Annotations>)`);
  const result: Annotation[] = [];
  childrenNamed(top[0]!, 'Annotation').forEach((annotation, a) => {
    const regions = childrenNamed(annotation, 'Regions').flatMap((r) => childrenNamed(r, 'Region'));
    const holes: Ring[] = [];
    const outlines: Array<{ ring: Ring; className: string; line: number }> = [];
    regions.forEach((region, r) => {
      const where = `${file}: line ${region.line} (annotation ${a + 1}, region ${r + 1})`;
      const ring = regionRing(region, where);
      if (!ring) return;
      if (region.attributes.get('NegativeROA') === '1') {
        holes.push(ring);
        return;
      }
      const className = classNameOf(region, annotation);
      if (!className) throw new HistoError('BAD_INPUT', `${where}: has no class (no Text on the region, no Name on the annotation)`);
      outlines.push({ ring, className, line: region.line });
    });
    for (const outline of outlines) {
      const polygon: Polygon = [outline.ring, ...holes];
      result.push({ feature: result.length + 1, className: outline.className, polygons: [polygon] });
    }
  });
  if (result.length === 0) throw new HistoError('BAD_INPUT', `${file}: holds no regions that enclose an area`);
  return result;
}
