import { malformedXml } from './xml-chars.js';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/**
 * Namespaces in scope (Namespaces in XML 1.0): one stack of URIs per prefix
 * ('' is the default namespace), so a lookup is one map access however deep
 * the elements nest, and each element pops exactly what it declared.
 */
export class NamespaceScope {
  private readonly bound = new Map<string, string[]>([
    ['xml', [XML_NS]],
    ['xmlns', [XMLNS_NS]],
  ]);
  private readonly declared: string[][] = [];
  private static readonly NONE: string[] = [];

  /** Enter an element: bind what its `xmlns` and `xmlns:p` attributes declare. */
  enter(attrs: ReadonlyArray<[string, string]>): void {
    let prefixes = NamespaceScope.NONE;
    for (const [name, uri] of attrs) {
      let prefix: string;
      if (name === 'xmlns') prefix = '';
      else if (name.startsWith('xmlns:')) prefix = name.slice(6);
      else continue;
      if (prefix === 'xmlns' || uri === XMLNS_NS) throw malformedXml('the xmlns prefix and namespace cannot be declared');
      if ((prefix === 'xml') !== (uri === XML_NS)) throw malformedXml('the xml prefix belongs to the XML namespace alone');
      if (prefix !== '' && uri === '') throw malformedXml(`prefix ${prefix} undeclared (not allowed in XML 1.0)`);
      let stack = this.bound.get(prefix);
      if (!stack) this.bound.set(prefix, (stack = []));
      stack.push(uri);
      if (prefixes === NamespaceScope.NONE) prefixes = [];
      prefixes.push(prefix);
    }
    this.declared.push(prefixes);
  }

  /** Leave the innermost element entered. */
  leave(): void {
    for (const prefix of this.declared.pop() ?? []) this.bound.get(prefix)!.pop();
  }

  /** The URI a prefix is bound to; undefined when it is not bound ('' then means no namespace). */
  resolve(prefix: string): string | undefined {
    return this.bound.get(prefix)?.at(-1);
  }
}

/** Where a qualified name splits into prefix and local part (-1: no prefix); an empty part or two colons is malformed. */
export function qnameColon(name: string): number {
  const colon = name.indexOf(':');
  if (colon === 0 || colon === name.length - 1 || (colon > 0 && name.indexOf(':', colon + 1) >= 0)) {
    throw malformedXml(`malformed qualified name ${name}`);
  }
  return colon;
}
