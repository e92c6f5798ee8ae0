/**
 * Latency percentiles from an HDR histogram (hdr-histogram-js, 3 significant digits), values
 * recorded in microseconds, reported in milliseconds.
 */
import * as hdr from 'hdr-histogram-js'

export interface Percentiles {
  count: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
}

export function histogram() {
  const h = hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false })
  let negatives = 0
  return {
    /** Records one latency in ms (clamped at 1 µs; values below zero are counted apart). */
    recordMs(ms: number) {
      if (ms < 0) negatives++
      h.recordValue(Math.max(1, Math.round(ms * 1000)))
    },
    negatives: () => negatives,
    percentiles(): Percentiles {
      const ms = (us: number) => Math.round(us) / 1000
      return {
        count: h.totalCount,
        p50: ms(h.getValueAtPercentile(50)),
        p90: ms(h.getValueAtPercentile(90)),
        p99: ms(h.getValueAtPercentile(99)),
        p999: ms(h.getValueAtPercentile(99.9)),
        max: ms(h.maxValue),
        mean: Math.round(h.mean) / 1000,
      }
    },
  }
}
