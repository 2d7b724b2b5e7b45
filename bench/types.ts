/** One figure of `npm run bench`, always beside a baseline measured in the same run. */
export interface BenchResult {
  area: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  note?: string;
}

/** Percentile of a sorted copy (nearest-rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
