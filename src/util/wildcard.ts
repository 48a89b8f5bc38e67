/** CLIProxyAPI wildcard matching: `*` anywhere, case-insensitive; no `*` means exact match. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  if (!p.includes('*')) return p === v;
  const pieces = p.split('*');
  let pos = 0;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    if (i === 0) {
      if (!v.startsWith(piece)) return false;
      pos = piece.length;
      continue;
    }
    const found = v.indexOf(piece, pos);
    if (found < 0) return false;
    pos = found + piece.length;
  }
  const last = pieces[pieces.length - 1]!;
  return last === '' || v.endsWith(last);
}

export function matchesAny(patterns: readonly string[], value: string): boolean {
  for (const p of patterns) if (wildcardMatch(p, value)) return true;
  return false;
}
