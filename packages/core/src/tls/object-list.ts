/**
 * What objectList() copies (never changed itself). Emptied, it keeps the elements kind of an array of
 * objects, and so do its copies: an array copied from `[]` holds small integers until its first push,
 * which then deoptimized the code that pushed (sendClientHello: "not a Smi").
 */
const NO_OBJECTS: object[] = [{}];
NO_OBJECTS.pop();

/**
 * A new empty array for objects, for a list that lives as long as its handshake (its buffers, its
 * hashes). Neither `[]` nor `new Array()`: both have an allocation site, which V8 turns to "tenure"
 * mid-scan for long-lived arrays, and that throws away the optimized code of every function that
 * inlined the site (handshake, ClientHandshake, RunningHash's users); a copy has no site.
 */
export function objectList<T extends object>(): T[] {
  return NO_OBJECTS.slice() as T[];
}
