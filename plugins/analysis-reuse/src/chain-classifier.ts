import { createHash, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { certificateParts, equalBytes, type CertificateParts } from './der.js';
import { publicKeyOf, signatureVerifies } from './signature.js';

/** The validity class the reuse figures split on (Fig. 6b and 6c). */
export type ChainClass = 'valid' | 'self-signed' | 'invalid';

/**
 * What the reuse analysis needs from a validator: the class of a chain as
 * sent (DER, wire order) at a given time. The ca-practice plugin, which owns
 * validation, can register one in the run's DI container under
 * {@link CHAIN_CLASSIFIER}; without it, {@link RootStoreClassifier} is used.
 */
export interface ChainClassifier {
  classify(chain: readonly Uint8Array[], at: Date): ChainClass | Promise<ChainClass>;
  /** Send any queued work now (batched classifiers). */
  flush?(): void;
  /** Release threads or other resources; called by the analyzer that owns the classifier. */
  close?(): void | Promise<void>;
}

/** DI token (a global symbol, so the two plugins need not import each other). */
export const CHAIN_CLASSIFIER = Symbol.for('wildtls.ChainClassifier');

interface Node {
  fp: string;
  der: Uint8Array;
  parts: CertificateParts;
  subjectKey: string;
  /** Public key, made on first use (createPublicKey costs more than a signature check). */
  key?: KeyObject | null;
}

const MAX_PATH = 8;
const MAX_CACHED = 100_000;

function nameKey(name: Uint8Array): string {
  return Buffer.from(name).toString('latin1');
}

/**
 * Fallback validator, a signature-path check: the chain is valid when the
 * leaf is within its validity period and verified signatures lead from it,
 * through certificates of the chain (each within its validity period), to a
 * trust anchor (Node's bundled Mozilla store, or a PEM bundle). Names are
 * matched as DER bytes. It does not check basicConstraints, key usage, name
 * constraints or host names: that is ca-practice's job. A chain that does not
 * validate is self-signed when its leaf's issuer equals its subject and it
 * verifies under its own key, otherwise invalid.
 */
export class RootStoreClassifier implements ChainClassifier {
  private readonly anchors = new Map<string, Node[]>();
  private readonly anchorFingerprints = new Set<string>();
  /** Intermediates recur across chains: parse each once. */
  private readonly nodes = new Map<string, Node | null>();
  /** "child fp > parent fp" → signature verified; time-independent, so shared by every chain. */
  private readonly verified = new Map<string, boolean>();
  private readonly keys = new Map<string, KeyObject | null>();

  constructor(roots: readonly string[] = rootCertificates) {
    for (const pem of roots) {
      const b64 = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
      const node = b64 ? this.parse(Buffer.from(b64.replace(/\s+/g, ''), 'base64')) : undefined;
      if (!node || !this.keyOf(node)) continue;
      const list = this.anchors.get(node.subjectKey) ?? [];
      list.push(node);
      this.anchors.set(node.subjectKey, list);
      this.anchorFingerprints.add(node.fp);
    }
  }

  static fromPemFile(file: string): RootStoreClassifier {
    return new RootStoreClassifier(readPemCertificates(file));
  }

  get anchorCount(): number {
    return this.anchorFingerprints.size;
  }

  classify(chain: readonly Uint8Array[], at: Date): ChainClass {
    if (!chain.length) return 'invalid';
    const leaf = this.parse(chain[0]!, false);
    if (!leaf) return 'invalid';
    if (this.pathToAnchor(leaf, chain, at.getTime())) return 'valid';
    const selfIssued = equalBytes(leaf.parts.issuer, leaf.parts.subject);
    if (!selfIssued) return 'invalid';
    const key = this.keyOf(leaf);
    return key && signatureVerifies(leaf.der, leaf.parts, key) ? 'self-signed' : 'invalid';
  }

  private pathToAnchor(leaf: Node, chain: readonly Uint8Array[], t: number): boolean {
    if (!within(leaf, t)) return false;
    const rest: Node[] = [];
    for (let i = 1; i < chain.length; i++) {
      const n = this.parse(chain[i]!);
      if (n) rest.push(n);
    }
    let current = leaf;
    const used = new Set<Node>();
    for (let depth = 0; depth < MAX_PATH; depth++) {
      if (this.anchorFingerprints.has(current.fp)) return true;
      const issuer = nameKey(current.parts.issuer);
      for (const anchor of this.anchors.get(issuer) ?? []) {
        if (this.signs(current, anchor)) return true;
      }
      const next = rest.find((n) => !used.has(n) && n.subjectKey === issuer && within(n, t) && this.signs(current, n));
      if (!next) return false;
      used.add(next);
      current = next;
    }
    return false;
  }

  /** Keys recur (shared by many certificates): one KeyObject per SPKI. */
  private keyOf(n: Node): KeyObject | null {
    if (n.key === undefined) {
      const id = createHash('sha256').update(n.parts.spki).digest('base64');
      let key = this.keys.get(id);
      if (key === undefined) {
        key = publicKeyOf(n.parts) ?? null;
        if (this.keys.size < MAX_CACHED) this.keys.set(id, key);
      }
      n.key = key;
    }
    return n.key;
  }

  private signs(child: Node, parent: Node): boolean {
    const k = `${child.fp}>${parent.fp}`;
    let ok = this.verified.get(k);
    if (ok === undefined) {
      const key = this.keyOf(parent);
      ok = key ? signatureVerifies(child.der, child.parts, key) : false;
      if (this.verified.size < MAX_CACHED) this.verified.set(k, ok);
    }
    return ok;
  }

  private parse(der: Uint8Array, cache = true): Node | undefined {
    const fp = createHash('sha256').update(der).digest('hex');
    let n = this.nodes.get(fp);
    if (n === undefined) {
      try {
        const parts = certificateParts(der);
        n = { fp, der, parts, subjectKey: nameKey(parts.subject) };
      } catch {
        n = null;
      }
      if (cache && this.nodes.size < MAX_CACHED) this.nodes.set(fp, n);
    }
    return n ?? undefined;
  }
}

/** The PEM certificates of a bundle file. */
export function readPemCertificates(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function within(n: Node, t: number): boolean {
  return n.parts.notBefore <= t && t <= n.parts.notAfter;
}
