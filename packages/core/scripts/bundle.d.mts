// Types of bundle.mjs (the build and freshness check of core's bundle/).
export declare const CORE_ROOT: string;
/** True when every bundled entry exists and was built from dist/ as it is now. */
export declare function bundleIsCurrent(root?: string): boolean;
/** Build bundle/ from dist/; the names of the files written. */
export declare function buildBundle(root?: string): Promise<string[]>;
/** From a checkout: rebuild a stale bundle; a published package is left alone. */
export declare function ensureBundle(root?: string): Promise<void>;
/** The package's "wildtlsBundle" (entries, inlined dependencies), or undefined. */
export declare function bundleSpec(root: string): { entries: Record<string, string>; inline?: string[] } | undefined;
/** Core and every @wildtls package the CLI at cliRoot depends on, each ensured as ensureBundle does. */
export declare function ensureBundles(cliRoot: string): Promise<void>;
