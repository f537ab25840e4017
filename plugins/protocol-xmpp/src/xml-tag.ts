import { decodeReference, isXmlSpace, malformedXml, MAX_REFERENCE, nameEnd, skipXmlSpace } from './xml-chars.js';

/** A start tag as written: its qualified name, its attributes in order, and whether it ends in `/>`. */
export interface StartTag {
  name: string;
  attrs: Array<[name: string, value: string]>;
  /** The same attributes by name, without a prototype (undefined when there are none). */
  byName: Record<string, string> | undefined;
  selfClosing: boolean;
}

/**
 * Parse the text between `<` and `>` of a start tag (XML 1.0 §3.1). One pass,
 * each character looked at a bounded number of times; duplicate attribute
 * names are found in the record by name built along the way (a prototype-less
 * object filled in a loop: Object.fromEntries and a Set beside it cost several
 * times more per attribute). The scanner has already refused `<` and
 * characters XML does not allow, and ended the tag outside any quotes.
 */
export function parseStartTag(body: string): StartTag {
  let i = nameEnd(body, 0);
  if (i === 0) throw malformedXml('a start tag without a valid name');
  const name = body.slice(0, i);
  const attrs: Array<[string, string]> = [];
  let byName: Record<string, string> | undefined;
  let selfClosing = false;
  for (;;) {
    const j = skipXmlSpace(body, i);
    if (j === body.length) break;
    if (body.charCodeAt(j) === 0x2f /* / */) {
      if (j !== body.length - 1) throw malformedXml(`"/" inside the start tag of <${name}>`);
      selfClosing = true;
      break;
    }
    if (j === i) throw malformedXml(`no white space before an attribute of <${name}>`);
    const end = nameEnd(body, j);
    if (end === j) throw malformedXml(`a malformed attribute name in <${name}>`);
    const attr = body.slice(j, end);
    let k = skipXmlSpace(body, end);
    if (body.charCodeAt(k) !== 0x3d /* = */) throw malformedXml(`attribute ${attr} of <${name}> has no value`);
    k = skipXmlSpace(body, k + 1);
    const quote = body[k];
    if (quote !== '"' && quote !== "'") throw malformedXml(`attribute ${attr} of <${name}> is not quoted`);
    const close = body.indexOf(quote, k + 1);
    if (close < 0) throw malformedXml(`attribute ${attr} of <${name}> is not closed`);
    byName ??= Object.create(null) as Record<string, string>;
    if (attr in byName) throw malformedXml(`duplicate attribute ${attr} in <${name}>`);
    const value = attributeValue(body.slice(k + 1, close));
    byName[attr] = value;
    attrs.push([attr, value]);
    i = close + 1;
  }
  return { name, attrs, byName, selfClosing };
}

/** The name of an end tag from the text between `</` and `>`: a Name, then optional white space. */
export function endTagName(body: string): string {
  const end = nameEnd(body, 0);
  if (end === 0 || skipXmlSpace(body, end) !== body.length) throw malformedXml('a malformed end tag');
  return body.slice(0, end);
}

/**
 * An attribute value as XML 1.0 §3.3.3 normalizes it: each line end (CR LF
 * counts as one) and each tab becomes a space; references are decoded after
 * that, so the characters they stand for stay as they are.
 */
function attributeValue(raw: string): string {
  let out = '';
  let from = 0;
  for (let i = raw.indexOf('&'); i >= 0; i = raw.indexOf('&', from)) {
    let semi = i + 1;
    while (semi < raw.length && semi - i <= MAX_REFERENCE && raw.charCodeAt(semi) !== 0x3b /* ; */) semi++;
    if (raw.charCodeAt(semi) !== 0x3b) throw malformedXml('an unterminated reference in an attribute value');
    out += normalizeSpace(raw.slice(from, i)) + decodeReference(raw.slice(i + 1, semi));
    from = semi + 1;
  }
  return out + normalizeSpace(raw.slice(from));
}

function normalizeSpace(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && isXmlSpace(c)) return s.replace(/\r\n|[\t\n\r]/g, ' ');
  }
  return s;
}
