/**
 * "Did you mean ...?" for misspelt config keys, CLI flags and level names.
 * A plain Levenshtein distance is enough for inputs this short; no dependency needed.
 */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost)
    }
    prev = cur
  }
  return prev[b.length]!
}

/** Lower-case and drop `_`/`-`, so per-minute, perMinute and PER_MINUTE all meet per_minute. */
const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '')

/**
 * The closest candidate, if close enough: same spelling modulo case/`_`/`-`, or within edit
 * distance 2 (1 for inputs of 4 characters or fewer, where 2 edits make almost anything match).
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const limit = input.length <= 4 ? 1 : 2
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    if (c === input) continue
    const d = squash(c) === squash(input) ? 0 : levenshtein(input.toLowerCase(), c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  return bestDistance <= limit ? best : undefined
}
