/**
 * The sign-in page a person sees when a hosted connector (claude.ai, ChatGPT) sends them to the
 * bridge: it names the client and where it will return to, and asks for an ilert user API key (or
 * a bridge token). The form posts back to /oauth/authorize, so the key travels in a request body,
 * never in a URL; the page loads nothing from elsewhere and cannot be framed.
 */
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  // same-origin: the form post carries this bridge's Origin (checked against CSRF); other sites get no referrer.
  'referrer-policy': 'same-origin',
}

const shell = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:1rem 0 .3rem;font-weight:600}input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}.err{color:#a00;font-weight:600}.note{color:#555;font-size:.9rem}</style>
</head><body>${body}</body></html>`

export function signInPage(o: { requestId: string; clientName: string; redirectHost: string; error?: string; bridgeTokens: boolean }): string {
  const what = o.bridgeTokens ? 'your ilert user API key, or a bridge token from this server\u2019s operator' : 'your ilert user API key'
  return shell(
    'Sign in to ilert (mcp-ilert)',
    `<h1>Connect ${esc(o.clientName)} to ilert</h1>
<p><b>${esc(o.clientName)}</b> (returning to <b>${esc(o.redirectHost)}</b>) asks to act in ilert with your permissions.</p>
${o.error ? `<p class="err" role="alert">${esc(o.error)}</p>` : ''}
<form method="post" action="/oauth/authorize">
<input type="hidden" name="request_id" value="${esc(o.requestId)}">
<label for="credential">Enter ${what}</label>
<input type="password" id="credential" name="credential" autocomplete="off" required>
<p class="note">ilert: Profile \u2192 API Keys. The key is checked with ilert and kept encrypted on this bridge; the connector gets a short-lived token, never the key.</p>
<button type="submit" id="allow">Allow</button>
</form>`,
  )
}

export const errorPage = (message: string) => shell('Sign-in error (mcp-ilert)', `<h1>Cannot sign in</h1><p class="err" role="alert">${esc(message)}</p>`)
