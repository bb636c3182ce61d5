/** What a chart shows, as plain data: components build it, charts.ts (Chart.js) draws it. */
export type ChartSpec =
  | { kind: 'bar'; labels: string[]; series: { label: string; data: number[] }[]; horizontal?: boolean; xTitle?: string; yTitle?: string }
  | { kind: 'line'; labels: string[]; series: { label: string; data: (number | null)[] }[]; xTitle?: string; yTitle?: string }
  | { kind: 'scatter'; groups: { label: string; points: { x: number; y: number; i: number }[] }[]; onPick?: (i: number) => void };
