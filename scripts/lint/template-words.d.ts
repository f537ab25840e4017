// For the linter only (tsconfig.eslint.json): the one word the plugin templates
// use where code expects a value, not a string or a name. `wildtls plugins new`
// writes the protocol's default port in its place.
declare const __PORT__: number;
