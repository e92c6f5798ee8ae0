/**
 * The order in which one alert source's calls use its budget (issue 15): when the budget is the
 * bottleneck, what a responder needs first goes first.
 *
 *   0  the storm digest (one call that tells the responder what is waiting)
 *   1  new ALERTs with priority HIGH
 *   2  new ALERTs without a priority (ilert applies the alert source's default)
 *   3  new ALERTs with priority LOW
 *   4  state changes of alerts already in ilert: ACCEPT, RESOLVE
 *   5  updates and comments: an ALERT for a key this bridge has open in ilert, COMMENT
 *
 * Each class is a round-robin ring of lanes: a lane goes to the back of its ring after each call,
 * so one alert key cannot starve the rest. Only a lane's head is ever classified and sent, so the
 * order of calls per alert key is always kept. A class waits while calls of a more urgent class of
 * the same source are on the wire (one round trip at each step down), so ilert also *receives*
 * them in this order despite concurrent requests.
 */

/** True while `flying` (calls on the wire per class) holds a call more urgent than `cls`. */
export function moreUrgentInFlight(flying: Uint32Array, cls: number): boolean {
  for (let c = 0; c < cls; c++) if (flying[c]! > 0) return true
  return false
}
import type { Entry } from './coalesce'
import type { KeyState } from './key-history'
import { Fifo } from '../queue/fifo'

export const DIGEST_CLASS = 0
export const CLASS_NAMES = ['digest', 'alert_high', 'alert_default', 'alert_low', 'state_change', 'update'] as const
export const CLASSES = CLASS_NAMES.length

/** The class of a lane whose head is `head`, given what ilert holds for its key. */
export function classOf(head: Entry, keyState: KeyState): number {
  switch (head.type) {
    case 'ALERT':
      if (keyState === 'open') return 5
      return head.body.priority === 'HIGH' ? 1 : head.body.priority === 'LOW' ? 3 : 2
    case 'ACCEPT':
    case 'RESOLVE':
      return 4
    default:
      return 5
  }
}

/** One FIFO ring per class; shift() takes from the most urgent non-empty one. */
export class ReadyRings<T extends { cls: number }> {
  private readonly rings: Fifo<T>[] = Array.from({ length: CLASSES }, () => new Fifo<T>())
  private count = 0

  get length(): number {
    return this.count
  }

  push(item: T, cls: number): void {
    item.cls = cls
    this.rings[cls]!.push(item)
    this.count++
  }

  /** The most urgent class with a lane waiting (CLASSES when none). */
  topClass(): number {
    for (let c = 0; c < CLASSES; c++) if (this.rings[c]!.length > 0) return c
    return CLASSES
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined
    for (const ring of this.rings) {
      if (ring.length > 0) {
        this.count--
        return ring.shift()
      }
    }
    return undefined
  }
}
