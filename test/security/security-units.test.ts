// The security building blocks on their own: token checks, per-peer failure delays and slots,
// the JSON depth bound, the secret masking of the new config keys, and auth.tokens_file.
import { describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load'
import { maskConfig, secretValues, isSecretPath } from '../../src/config/mask'
import { createLogger } from '../../src/observability/logger'
import { FailureLimiter } from '../../src/security/failures'
import { throttleWarnings } from '../../src/security/log-throttle'
import { exceedsDepth } from '../../src/security/json-depth'
import { PeerSlots } from '../../src/security/peer-slots'
import { createTokenVerifier, parseBearer } from '../../src/security/tokens'
import { decideAuth, pathOf } from '../../src/security/http-gate'

const T1 = 'tok-aaaaaaaaaaaaaaaa-1'
const T2 = 'tok-bbbbbbbbbbbbbbbb-2'
const ADMIN = 'adm-cccccccccccccccc-1'

describe('tokens', () => {
  test('a configured token matches with a non-secret id; anything else is invalid', () => {
    const v = createTokenVerifier([T1, T2])
    expect(v.required).toBe(true)
    expect(v.check(T2)).toEqual({ kind: 'ok', id: 'token-2', admin: true })
    for (const bad of ['', T1.slice(0, -1), T1 + 'x', T1.toUpperCase(), ' ' + T1]) expect(v.check(bad)).toEqual({ kind: 'invalid' })
  })

  test('no tokens: nothing required', () => {
    expect(createTokenVerifier([]).required).toBe(false)
  })

  test('with admin_tokens, ordinary tokens lose admin rights and admin tokens authenticate everywhere', () => {
    const v = createTokenVerifier([T1], [ADMIN])
    expect(v.check(T1)).toEqual({ kind: 'ok', id: 'token-1', admin: false })
    expect(v.check(ADMIN)).toEqual({ kind: 'ok', id: 'admin-1', admin: true })
  })

  test('parseBearer', () => {
    expect(parseBearer(null)).toEqual({ kind: 'missing' })
    expect(parseBearer('  ')).toEqual({ kind: 'missing' })
    expect(parseBearer('Basic abc')).toEqual({ kind: 'malformed' })
    expect(parseBearer('Bearer a b')).toEqual({ kind: 'malformed' })
    expect(parseBearer('bearer  xyz ')).toEqual({ kind: 'ok', token: 'xyz' })
  })

  test('the gate: health probes and /mcp are open, everything else needs a token, /admin an admin one', () => {
    const v = createTokenVerifier([T1], [ADMIN])
    expect(decideAuth(v, '/healthz', null)).toEqual({ kind: 'open' })
    expect(decideAuth(v, '/mcp', null)).toEqual({ kind: 'open' })
    expect(decideAuth(v, '/events', null)).toMatchObject({ kind: 'denied', status: 401, reason: 'missing' })
    expect(decideAuth(v, '/nope', `Bearer ${T1}x`)).toMatchObject({ kind: 'denied', status: 401, reason: 'invalid' })
    expect(decideAuth(v, '/events', `Bearer ${T1}`)).toEqual({ kind: 'ok', tokenId: 'token-1' })
    expect(decideAuth(v, '/admin/dead-letters', `Bearer ${T1}`)).toMatchObject({ kind: 'denied', status: 403, reason: 'forbidden' })
    expect(decideAuth(v, '/admin/dead-letters', `Bearer ${ADMIN}`)).toEqual({ kind: 'ok', tokenId: 'admin-1' })
    expect(decideAuth(createTokenVerifier([]), '/admin/dead-letters/purge', null)).toEqual({ kind: 'open' })
  })

  test('pathOf strips query and fragment', () => {
    expect(pathOf('http://h:1/events?x=1')).toBe('/events')
    expect(pathOf('https://[::1]:8/admin/dead-letters#f')).toBe('/admin/dead-letters')
    expect(pathOf('http://h')).toBe('/')
  })
})

describe('FailureLimiter', () => {
  test('delays double per failure from one address, capped, and reset after the window', () => {
    let now = 0
    const f = new FailureLimiter({ maxDelayMs: 1000, baseDelayMs: 50, windowMs: 60_000, now: () => now })
    expect([1, 2, 3, 4, 5, 6, 7].map(() => f.fail('10.0.0.1'))).toEqual([50, 100, 200, 400, 800, 1000, 1000])
    expect(f.fail('10.0.0.2')).toBe(50) // per peer
    now += 60_001
    expect(f.fail('10.0.0.1')).toBe(50)
  })

  test('remembers a bounded number of addresses', () => {
    const f = new FailureLimiter({ maxDelayMs: 1000, maxPeers: 100 })
    for (let i = 0; i < 10_000; i++) f.fail(`10.0.${i >> 8}.${i & 255}`)
    expect(f.trackedPeers).toBe(100)
  })
})

describe('PeerSlots', () => {
  test('per-peer and total caps, released slots are reusable, idle peers forgotten', () => {
    const s = new PeerSlots(3, 2)
    expect(s.acquire('a')).toBe('ok')
    expect(s.acquire('a')).toBe('ok')
    expect(s.acquire('a')).toBe('peer_full')
    expect(s.acquire('b')).toBe('ok')
    expect(s.acquire('c')).toBe('listener_full')
    s.release('a')
    expect(s.acquire('c')).toBe('ok')
    for (const p of ['a', 'b', 'c']) s.release(p)
    expect(s.total).toBe(0)
    expect(s.peers).toBe(0)
  })
})

describe('PeerSlots, holders looked up on demand (HTTP requests)', () => {
  /** A holder that records each time its address is first looked up, as RequestHolder looks it up once. */
  const holder = (address: string, looked: string[]) => {
    let seen = false
    return { lookup: () => (seen || (looked.push(address), (seen = true)), address) }
  }

  test('below the per-peer cap in all, no address is looked up; at it, every holder is counted under its own', () => {
    const looked: string[] = []
    const s = new PeerSlots(10, 2)
    const a1 = holder('a', looked)
    const b1 = holder('b', looked)
    expect(s.enter(a1)).toBe('ok')
    expect(s.enter(b1)).toBe('ok')
    expect(looked).toEqual([])
    // Two held: a third could put one address over 2, so everyone is looked up now.
    const a2 = holder('a', looked)
    expect(s.enter(a2)).toBe('ok')
    expect(looked.sort()).toEqual(['a', 'a', 'b'])
    expect(s.enter(holder('a', looked))).toBe('peer_full')
    expect(s.enter(holder('b', looked))).toBe('ok')
    expect(s.of('a')).toBe(2)
    expect(s.of('b')).toBe(2)
    s.leave(a1)
    expect(s.enter(holder('a', looked))).toBe('ok')
    expect(s.total).toBe(4)
  })

  test('the listener-wide cap holds for unattributed holders, and every slot comes back', () => {
    const looked: string[] = []
    const s = new PeerSlots(2, 5)
    const hs = [holder('a', looked), holder('b', looked)]
    for (const h of hs) expect(s.enter(h)).toBe('ok')
    expect(s.enter(holder('c', looked))).toBe('listener_full')
    for (const h of hs) s.leave(h)
    expect(s.total).toBe(0)
    expect(s.peers).toBe(0)
    expect(looked).toEqual([])
  })

  test('a holder waiting for its body (stepOut) still counts toward the per-peer bound', () => {
    const looked: string[] = []
    const s = new PeerSlots(10, 2)
    const a1 = holder('a', looked)
    const a2 = holder('a', looked)
    expect(s.enter(a1)).toBe('ok')
    s.stepOut() // a1's body is still arriving: out of the listener-wide count only
    expect(s.enter(a2)).toBe('ok')
    s.stepOut()
    expect(s.enter(holder('a', looked))).toBe('peer_full')
  })
})

describe('exceedsDepth', () => {
  const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)])
  test('counts objects and arrays; scalars do not add depth', () => {
    expect(exceedsDepth({ a: 1, b: 'x' }, 1)).toBe(false)
    expect(exceedsDepth({ a: [1] }, 1)).toBe(true)
    expect(exceedsDepth({ a: { b: [1] } }, 3)).toBe(false)
    expect(exceedsDepth({ a: { b: [1] } }, 2)).toBe(true)
    expect(exceedsDepth(nest(32), 32)).toBe(false)
    expect(exceedsDepth(nest(33), 32)).toBe(true)
  })

  test('a 100,000-deep value is refused without a stack overflow', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000)
    expect(exceedsDepth(JSON.parse(text), 32)).toBe(true)
  })
})

describe('secrets in the new keys', () => {
  const env = {
    MCP_ILERT_TOKENS: 'env-token-0123456789,env-token-abcdefghij',
    MCP_ILERT_AUTH_ADMIN_TOKENS: '["admin-token-0123456789"]',
    MCP_ILERT_METRICS_TOKEN: 'metrics-token-xyz',
  }
  test('MCP_ILERT_TOKENS (a,b) and the other secret keys load, and are all masked and redacted', () => {
    const r = loadConfig({ env })
    if (r.kind === 'error') throw new Error(r.message)
    expect(r.config.auth.tokens).toEqual(['env-token-0123456789', 'env-token-abcdefghij'])
    expect(r.warnings).toEqual([])
    const masked = JSON.stringify(maskConfig(r.config))
    for (const v of ['env-token-0123456789', 'env-token-abcdefghij', 'admin-token-0123456789', 'metrics-token-xyz']) {
      expect(masked).not.toContain(v)
      expect(secretValues(r.config)).toContain(v)
    }
    expect(maskConfig(r.config).auth.tokens).toEqual(['[set, 20 chars]', '[set, 20 chars]'])
    expect(isSecretPath(['auth', 'tokens', '1'])).toBe(true)
  })

  test('a token too short fails the load without echoing it', () => {
    const r = loadConfig({ env: { MCP_ILERT_TOKENS: 'short-secret' } })
    expect(r.kind).toBe('error')
    if (r.kind === 'error') {
      expect(r.message).toContain('auth.tokens')
      expect(r.message).not.toContain('short-secret')
    }
  })
})

describe('auth.tokens_file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-ilert-tokens-'))

  test('one token per line, comments and blanks skipped, merged with auth.tokens without duplicates', () => {
    const file = join(dir, 'tokens')
    writeFileSync(file, '# edge devices\nfile-token-0123456789\n\n  file-token-abcdefghij  \nenv-token-0123456789\n', { mode: 0o600 })
    const r = loadConfig({ env: { MCP_ILERT_TOKENS: 'env-token-0123456789', MCP_ILERT_AUTH_TOKENS_FILE: file } })
    if (r.kind === 'error') throw new Error(r.message)
    expect(r.config.auth.tokens).toEqual(['env-token-0123456789', 'file-token-0123456789', 'file-token-abcdefghij'])
    expect(r.warnings).toEqual([])
  })

  test('a short token names the file and line, not the token; a missing file names the key', () => {
    const file = join(dir, 'bad')
    writeFileSync(file, 'file-token-0123456789\nshort-secret\n', { mode: 0o600 })
    const r = loadConfig({ env: { MCP_ILERT_AUTH_TOKENS_FILE: file } })
    expect(r.kind === 'error' && r.message).toContain(`auth.tokens_file: ${file}:2: a token must be at least 16 characters`)
    expect(r.kind === 'error' && r.message).not.toContain('short-secret')
    const missing = loadConfig({ env: { MCP_ILERT_AUTH_TOKENS_FILE: join(dir, 'nope') } })
    expect(missing.kind === 'error' && missing.message).toContain('auth.tokens_file: cannot read')
  })

  test('a tokens file every local user can read is warned about', () => {
    const file = join(dir, 'open')
    writeFileSync(file, 'file-token-0123456789\n')
    chmodSync(file, 0o644)
    const r = loadConfig({ env: { MCP_ILERT_AUTH_TOKENS_FILE: file } })
    expect(r.kind === 'ok' && r.warnings).toEqual([`auth.tokens_file ${file} is readable by every local user (mode 0644): chmod 600 it`])
  })
})

describe('throttleWarnings', () => {
  test('one line per kind per interval; the next one reports how many were suppressed', () => {
    const lines: string[] = []
    let now = 0
    const warn = throttleWarnings(createLogger('debug', (l) => lines.push(l)), 1000, () => now)
    for (let i = 0; i < 500; i++) warn('tcp_auth', 'tcp authentication failed', { i })
    warn('http_auth', 'http authentication failed')
    now = 1500
    warn('tcp_auth', 'tcp authentication failed', { i: 500 })
    expect(lines.map((l) => JSON.parse(l)).map((l) => [l.msg, l.i, l.suppressed_since_last])).toEqual([
      ['tcp authentication failed', 0, undefined],
      ['http authentication failed', undefined, undefined],
      ['tcp authentication failed', 500, 499],
    ])
  })
})
