/** What a chart shows, as plain data: components build it, charts.ts (Chart.js) draws it. */
export type ChartSpec =
  | { kind: 'bar'; labels: string[]; series: { label: string; data: number[]; color?: string }[]; stacked?: boolean; horizontal?: boolean; xTitle?: string; yTitle?: string }
  | { kind: 'line'; labels: string[]; series: { label: string; data: (number | null)[]; axis?: 'y' | 'y2' }[]; xTitle?: string; yTitle?: string; y2Title?: string }
  | { kind: 'scatter'; groups: { label: string; points: { x: number; y: number; i: number }[] }[]; onPick?: (i: number) => void };
