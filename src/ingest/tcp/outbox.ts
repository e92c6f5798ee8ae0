/**
 * Outgoing replies of one TCP connection. `socket.write` may take only part of the bytes; the
 * rest waits here until the socket's `drain`. Acks are cumulative, so only the newest unsent
 * ack is kept and it always goes out after every error line queued before it.
 * Invariant: an ack is held only while `pending` bytes exist, so a `drain` is always due.
 */
import type { Socket } from 'bun'

/** `flushed`: nothing left; `pending`: waiting for drain; `closed`: the socket took nothing. */
export type FlushResult = 'flushed' | 'pending' | 'closed'

export class Outbox {
  private pending: Buffer | null = null
  private ack = ''

  /** Unsent bytes (approximate for a held ack, which is ASCII). */
  get backlog(): number {
    return (this.pending === null ? 0 : this.pending.length) + this.ack.length
  }

  /** Sends error lines then the newest ack (either may be empty), at once when nothing is waiting. */
  send(s: Socket<unknown>, errors: string, ack: string): FlushResult {
    if (this.pending === null) return this.write(s, errors + ack, errors.length === 0)
    if (errors.length > 0) this.pending = Buffer.concat([this.pending, Buffer.from(errors)])
    if (ack.length > 0) this.ack = ack
    return 'pending'
  }

  /** Writes what is waiting; call from `drain`. */
  flush(s: Socket<unknown>): FlushResult {
    const p = this.pending
    if (p === null) return 'flushed'
    const n = s.write(p)
    if (n < 0) return this.drop()
    if (n < p.length) {
      this.pending = p.subarray(n)
      return 'pending'
    }
    this.pending = null
    const ack = this.ack
    this.ack = ''
    return ack.length === 0 ? 'flushed' : this.write(s, ack, true)
  }

  private write(s: Socket<unknown>, text: string, ascii: boolean): FlushResult {
    if (text.length === 0) return 'flushed'
    const n = s.write(text)
    if (n < 0) return this.drop()
    const bytes = ascii ? text.length : Buffer.byteLength(text)
    if (n >= bytes) return 'flushed'
    this.pending = Buffer.from(text).subarray(n)
    return 'pending'
  }

  private drop(): FlushResult {
    this.pending = null
    this.ack = ''
    return 'closed'
  }
}
