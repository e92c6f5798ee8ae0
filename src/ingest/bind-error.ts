/**
 * A listener that cannot bind stops the start naming the setting to change, the address and port,
 * and why in words a person can act on. Bun's own errors name neither the setting nor, for
 * Bun.listen, the port ("Failed to listen at 127.0.0.1"), and a bad address comes out as
 * "EINVAL: invalid argument, listen".
 */

/** The config keys of one listener's address and port, e.g. ['tcp.address', 'tcp.port']. */
export type ListenKeys = readonly [address: string, port: string]

export function bindError(keys: ListenKeys, address: string, port: number, err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code
  const at = `${address.includes(':') ? `[${address}]` : address}:${port}`
  if (code === 'EADDRINUSE') return new Error(`${keys[1]}: cannot listen on ${at}: the port is in use (another mcp-ilert, or another program)`)
  if (code === 'EADDRNOTAVAIL' || code === 'EINVAL') return new Error(`${keys[0]}: cannot listen on ${at}: no such address on this machine`)
  if (code === 'EACCES') return new Error(`${keys[1]}: cannot listen on ${at}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`)
  return new Error(`${keys[0]}/${keys[1]}: cannot listen on ${at}: ${err instanceof Error ? err.message : String(err)}`)
}

/** Runs `bind`, turning its failure into bindError's message, whether it throws or (Bun.udpSocket) rejects. */
export function bindOrExplain<T>(keys: ListenKeys, address: string, port: number, bind: () => T): T {
  let bound: T
  try {
    bound = bind()
  } catch (err) {
    throw bindError(keys, address, port, err)
  }
  if (bound instanceof Promise) {
    return bound.catch((err: unknown) => {
      throw bindError(keys, address, port, err)
    }) as T
  }
  return bound
}
