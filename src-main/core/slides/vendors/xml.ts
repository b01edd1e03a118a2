/**
 * A deliberately small XML tokenizer for the metadata scanners write (OME-XML, Philips, Leica,
 * Ventana): start/end tags and their attributes in one linear pass. It never expands entities
 * beyond the five predefined ones and ignores DTDs, so a hostile document (entity expansion,
 * unbalanced tags, megabytes of junk) costs at most one scan of its text.
 */

/** Longest XML we look at (a whole-slide header is kilobytes; multi-series OME files reach a few MB). */
export const MAX_XML = 16 << 20;
/** Longest single tag we read attributes from. */
const MAX_XML_TAG = 64 << 10;

export interface XmlTag {
  /** Local name, namespace prefix removed. */
  name: string;
  closing: boolean;
  attrs: string;
  /** Text from the end of this tag to the next '<' (an element's text when it has no children). */
  text: string;
}

/** The start and end tags of an XML document, in order: each search resumes after the previous '>'. */
export function xmlTags(xml: string): XmlTag[] {
  const tags: XmlTag[] = [];
  if (xml.length > MAX_XML) return tags;
  let pos = 0;
  for (;;) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) break;
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) break;
    pos = gt + 1;
    if (gt - lt > MAX_XML_TAG) continue;
    let body = xml.slice(lt + 1, gt);
    if (body.startsWith('?') || body.startsWith('!')) continue;
    const closing = body.startsWith('/');
    if (closing) body = body.slice(1);
    const space = body.search(/[\s/]/);
    const qualified = space < 0 ? body : body.slice(0, space);
    const name = qualified.slice(qualified.indexOf(':') + 1);
    const next = xml.indexOf('<', pos);
    // Text has no length limit of its own (Philips keeps Base64 images in it): each character of the document is in one text at most.
    const text = next < 0 ? '' : decodeEntities(xml.slice(pos, next));
    tags.push({ name, closing, attrs: space < 0 ? '' : body.slice(space), text });
  }
  return tags;
}

/** True when the text declares entities: scanners never do, a billion-laughs attack does. */
export function declaresEntities(xml: string): boolean {
  return /<!ENTITY/i.test(xml.slice(0, Math.min(xml.length, 1 << 20)));
}

export function xmlAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  // Names may hold "-" and "." (Ventana's Pos-X). Anchored at a word start and bounded by MAX_XML_TAG: linear in the tag's length.
  for (const m of text.matchAll(/(?<![\w:.-])([\w:.-]+)\s*=\s*"([^"]*)"/g)) out.set(m[1]!, decodeEntities(m[2]!));
  return out;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

/** An element of a parsed document: its local name, attributes, text and children. */
export interface XmlNode {
  name: string;
  attrs: Map<string, string>;
  text: string;
  children: XmlNode[];
}

/** Deepest nesting we follow; deeper elements are dropped with their subtrees. */
const MAX_XML_DEPTH = 64;

/**
 * The element tree of a document, or null when it is not well-formed enough to trust (no root,
 * or end tags that do not match). Built from xmlTags, so it inherits their linear cost; vendor
 * readers walk it instead of matching text.
 */
export function xmlTree(xml: string): XmlNode | null {
  const root: XmlNode = { name: '#document', attrs: new Map(), text: '', children: [] };
  const stack: XmlNode[] = [root];
  for (const tag of xmlTags(xml)) {
    const parent = stack[stack.length - 1]!;
    if (tag.closing) {
      if (stack.length === 1 || parent.name !== tag.name) return null;
      stack.pop();
      continue;
    }
    const selfClosing = tag.attrs.trimEnd().endsWith('/');
    const node: XmlNode = { name: tag.name, attrs: xmlAttributes(tag.attrs), text: selfClosing ? '' : tag.text.trim(), children: [] };
    if (stack.length <= MAX_XML_DEPTH) parent.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  if (stack.length !== 1 || root.children.length !== 1) return null;
  return root.children[0]!;
}

/** Every descendant (depth first) named `name`. */
export function xmlFindAll(node: XmlNode, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode): void => {
    for (const child of n.children) {
      if (child.name === name) out.push(child);
      walk(child);
    }
  };
  walk(node);
  return out;
}
