/**
 * Credentials written into a URL (`https://user:pass@host`, e.g. in ilert.api_url for a proxy)
 * are secrets like any key: `maskUrlCredentials` hides the user-info part of every URL in a text
 * (--check-config, config errors, log lines, error answers), `urlCredentials` lists the parts for
 * the logger's redaction, and `withoutCredentials` gives the URL to show or link to.
 */

/** scheme://userinfo@ — userinfo cannot hold "/", "?", "#", "@", quotes or whitespace. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>\\]+)@/gi

/** `text` with the user-info of every URL in it replaced by `[set, N chars]`. */
export function maskUrlCredentials(text: string): string {
  if (!text.includes('@') || !text.includes('://')) return text
  return text.replace(USERINFO, (_m, scheme: string, info: string) => `${scheme}[set, ${info.length} chars]@`)
}

/** The secret parts of a URL's user-info (as written and decoded), for logger redaction. */
export function urlCredentials(url: string): string[] {
  const out = new Set<string>()
  for (const m of url.matchAll(USERINFO)) {
    const info = m[2]!
    out.add(info)
    const colon = info.indexOf(':')
    const parts = colon === -1 ? [info] : [info.slice(0, colon), info.slice(colon + 1)]
    for (const p of parts) {
      if (p === '') continue
      out.add(p)
      try {
        out.add(decodeURIComponent(p))
      } catch {
        // not percent-encoded: the raw form is enough
      }
    }
  }
  return [...out]
}

/** The URL without its user-info, for links and messages. */
export function withoutCredentials(url: string): string {
  return url.replace(USERINFO, '$1')
}
