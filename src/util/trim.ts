/**
 * `s.trim()`, skipping the builtin call when both ends are printable ASCII (the usual case for keys and model
 * names read on every request). Anything else, Unicode spaces included, goes through `trim` itself.
 */
export function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(n - 1);
  return a > 32 && a < 127 && z > 32 && z < 127 ? s : s.trim();
}
