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
    const text = next < 0 || next - pos > MAX_XML_TAG ? '' : decodeEntities(xml.slice(pos, next));
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
  // Anchored at a word start and bounded by MAX_XML_TAG: linear in the tag's length.
  for (const m of text.matchAll(/(?<![\w:])([\w:]+)\s*=\s*"([^"]*)"/g)) out.set(m[1]!, decodeEntities(m[2]!));
  return out;
}

function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}
