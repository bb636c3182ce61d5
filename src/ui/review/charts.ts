/**
 * The one module that imports Chart.js. Components load it with a dynamic import, so the library
 * is a separate chunk fetched the first time a chart is shown (the rest of the app never pays for
 * it). Only the controllers and scales used here are registered (tree-shaken build).
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import type { ChartSpec } from './chartSpec';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, Legend);

const PALETTE = ['#1f6f5c', '#d1495b', '#edae49', '#00798c', '#30638e', '#8f2d56', '#6a994e', '#bc6c25', '#5e548e', '#003d5b'];

export function render(canvas: HTMLCanvasElement, spec: ChartSpec): { destroy(): void } {
  const common = { animation: false as const, responsive: true, maintainAspectRatio: false };
  if (spec.kind === 'bar') {
    return new Chart(canvas, {
      type: 'bar',
      data: { labels: spec.labels, datasets: spec.series.map((s, k) => ({ label: s.label, data: s.data, backgroundColor: PALETTE[k % PALETTE.length] })) },
      options: {
        ...common,
        indexAxis: spec.horizontal ? 'y' : 'x',
        plugins: { legend: { display: spec.series.length > 1 } },
        scales: {
          x: { title: { display: !!spec.xTitle, text: spec.xTitle ?? '' } },
          y: { beginAtZero: true, title: { display: !!spec.yTitle, text: spec.yTitle ?? '' } },
        },
      },
    });
  }
  if (spec.kind === 'line') {
    return new Chart(canvas, {
      type: 'line',
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, k) => ({ label: s.label, data: s.data, borderColor: PALETTE[k % PALETTE.length], backgroundColor: PALETTE[k % PALETTE.length], spanGaps: true })),
      },
      options: {
        ...common,
        scales: {
          x: { title: { display: !!spec.xTitle, text: spec.xTitle ?? '' } },
          y: { min: 0, max: 1, title: { display: !!spec.yTitle, text: spec.yTitle ?? '' } },
        },
      },
    });
  }
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: spec.groups.map((g, k) => ({
        label: g.label,
        data: g.points,
        backgroundColor: PALETTE[k % PALETTE.length],
        pointRadius: spec.groups.reduce((n, x) => n + x.points.length, 0) > 5000 ? 1.5 : 3,
      })),
    },
    options: {
      ...common,
      parsing: false,
      plugins: { legend: { display: true }, tooltip: { enabled: false } },
      scales: { x: { title: { display: true, text: 'PC1' } }, y: { title: { display: true, text: 'PC2' } } },
      onClick: (_e, elements) => {
        const hit = elements[0];
        if (!hit) return;
        const p = spec.groups[hit.datasetIndex]?.points[hit.index];
        if (p) spec.onPick?.(p.i);
      },
    },
  });
  return chart;
}
