/**
 * Listeners that must be able to rebind for a certificate reload use SO_REUSEPORT, which would
 * also let a second bridge bind the same port silently. A plain bind first, released at once,
 * keeps "address already in use" an error at start.
 */
export function assertPortFree(hostname: string, port: number): void {
  if (port === 0) return
  const probe = Bun.listen({ hostname, port, socket: { data() {} } })
  probe.stop(true)
}
