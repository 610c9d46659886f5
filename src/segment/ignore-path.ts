const SLASH = 47; // '/'
const STAR = 42; // '*'
const QUESTION = 63; // '?'

/**
 * Whether `path` matches `pattern` in the Java agent's trace-ignore syntax (its `FastPathMatcher`):
 * `?` is one character other than `/`; `*` is any run of characters other than `/` (at the end of
 * the pattern the path may still end in one `/`); `**` is any run of characters, and a `/` right
 * after `**` is optional, so `/a/**` matches `/a/` and `a/**` + `/b` matches `a/b`. Like the Java
 * matcher, the part after `**` is tried at every position, not only after a `/`.
 */
export function matchPath(pattern: string, path: string): boolean {
  return matchFrom(pattern, 0, path, 0);
}

/** Whether `path` matches any of `patterns`. */
export function matchAnyPath(patterns: readonly string[], path: string): boolean {
  for (let i = 0; i < patterns.length; i++) if (matchFrom(patterns[i]!, 0, path, 0)) return true;
  return false;
}

function matchFrom(pat: string, p: number, str: string, s: number): boolean {
  while (p < pat.length) {
    const c = pat.charCodeAt(p);
    if (c === STAR) {
      return pat.charCodeAt(p + 1) === STAR ? anyParts(pat, p + 2, str, s) : withinPart(pat, p + 1, str, s);
    }
    if (s >= str.length) return false;
    const d = str.charCodeAt(s);
    if (c === QUESTION ? d === SLASH : c !== d) return false;
    p++;
    s++;
  }
  return s === str.length;
}

/** After `*`: the rest of the pattern matched after some run of non-`/` characters. */
function withinPart(pat: string, p: number, str: string, s: number): boolean {
  if (p === pat.length) {
    const slash = str.indexOf('/', s);
    return slash < 0 || slash === str.length - 1;
  }
  for (let i = s; ; i++) {
    if (matchFrom(pat, p, str, i)) return true;
    if (i >= str.length || str.charCodeAt(i) === SLASH) return false;
  }
}

/** After `**`: the rest of the pattern (its leading `/` optional) matched from some later position. */
function anyParts(pat: string, p: number, str: string, s: number): boolean {
  if (p === pat.length) return true;
  if (pat.charCodeAt(p) === SLASH) p++;
  for (let i = s; i <= str.length; i++) if (matchFrom(pat, p, str, i)) return true;
  return false;
}
