/**
 * The report's plots: vega-lite specs compiled to Vega and rendered to static SVG by Vega's
 * headless View (`renderer: 'none'`, `toSVG()`), in Node, with no DOM. vega and vega-lite load
 * here, on the first plot, never with the engine. Each spec is compiled and parsed once per
 * call, then one View per plot gets its data; coordinates are rounded to one decimal (the
 * file-size bound, docs/REPORT.md). Text and axes use `currentColor`, so the page's colour
 * scheme (light or dark) applies to them.
 */

/** Expected (baseline) vs actual (batch) values on one feature's bins. */
export interface BinSeries {
  labels: string[];
  expected: number[];
  actual: number[];
}

/** One line of a history plot: points in time order. */
export interface HistoryLine {
  points: Array<{ time: number; value: number }>;
  threshold?: number;
}

/** The colours of the two sides (readable on light and dark backgrounds). */
export const SIDE_COLOURS = { expected: '#8c96a8', actual: '#e4572e' } as const;

type VegaModule = typeof import('vega');

interface Libraries {
  vega: VegaModule;
  compile: (spec: object) => { spec: object };
}

let libraries: Promise<Libraries> | undefined;

function load(): Promise<Libraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: (spec) => vl.compile(spec as Parameters<typeof vl.compile>[0]) as { spec: object } }));
  return libraries;
}

const CONFIG = {
  background: null,
  config: {
    aria: false,
    view: { stroke: null },
    font: 'sans-serif',
    axis: { labelFontSize: 9, titleFontSize: 10, domain: false, ticks: false, labelColor: 'currentColor', titleColor: 'currentColor', gridColor: '#8886', gridOpacity: 0.6 },
    axisX: { grid: false, labelAngle: -40, labelLimit: 90 },
    legend: { labelColor: 'currentColor', titleColor: 'currentColor' },
  },
};

/** Round the long decimals of coordinates and lengths (attribute values only, never text). */
function compact(svg: string): string {
  return svg.replace(/="([^"]*)"/g, (_all, value: string) => `="${value.replace(/(\d+\.\d)\d+/g, '$1')}"`);
}

/** Compile and parse `spec` once, then one SVG per item: a fresh View with the item's data sets. */
async function plotEach<T>(spec: object, items: readonly T[], data: (item: T) => Record<string, object[]>): Promise<string[]> {
  if (items.length === 0) return [];
  const { vega, compile } = await load();
  const runtime = vega.parse(compile(spec).spec as Parameters<VegaModule['parse']>[0]);
  const out: string[] = [];
  for (const item of items) {
    const view = new vega.View(runtime, { renderer: 'none' });
    for (const [name, values] of Object.entries(data(item))) view.data(name, values);
    try {
      out.push(compact(await view.toSVG()));
    } finally {
      view.finalize();
    }
  }
  return out;
}

/**
 * Grouped bars (expected beside actual) per bin, one SVG per series; `mode` names the y axis
 * (`share`: a percentage, `count`: a number).
 */
export async function binPlots(series: readonly BinSeries[], mode: 'share' | 'count'): Promise<string[]> {
  const spec = {
    ...CONFIG,
    width: 320,
    height: 130,
    data: { name: 'bins' },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'bin', type: 'ordinal', sort: { field: 'i' }, title: null },
      xOffset: { field: 'side', sort: ['expected', 'actual'] },
      y: { field: 'value', type: 'quantitative', title: mode, axis: { tickCount: 4, format: mode === 'share' ? '.0%' : '~s' } },
      color: { field: 'side', type: 'nominal', legend: null, scale: { domain: ['expected', 'actual'], range: [SIDE_COLOURS.expected, SIDE_COLOURS.actual] } },
    },
  };
  return plotEach(spec, series, (s) => {
    const labels = uniqueLabels(s.labels);
    const values = labels.flatMap((bin, i) => [
      { bin, i, side: 'expected', value: s.expected[i] ?? 0 },
      { bin, i, side: 'actual', value: s.actual[i] ?? 0 },
    ]);
    return { bins: values };
  });
}

/** A score over time with its threshold as a dashed rule, one SVG per line. */
export async function historyPlots(lines: readonly HistoryLine[], metric: string): Promise<string[]> {
  const spec = {
    ...CONFIG,
    width: 420,
    height: 140,
    layer: [
      {
        data: { name: 'points' },
        mark: { type: 'line', point: { size: 18 }, color: SIDE_COLOURS.actual },
        encoding: {
          x: { field: 'time', type: 'temporal', title: null, axis: { labelAngle: 0, grid: false, tickCount: 5 } },
          y: { field: 'value', type: 'quantitative', title: metric, axis: { tickCount: 4 } },
        },
      },
      {
        data: { name: 'threshold' },
        mark: { type: 'rule', strokeDash: [4, 3], color: SIDE_COLOURS.expected },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
    ],
  };
  return plotEach(spec, lines, (line) => ({
    points: line.points.filter((p) => Number.isFinite(p.value)),
    threshold: line.threshold !== undefined && Number.isFinite(line.threshold) ? [{ value: line.threshold }] : [],
  }));
}

/** Ordinal labels must differ: a repeated one gets ` (2)`, ` (3)`, ... */
function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return n === 1 ? label : `${label} (${n})`;
  });
}

/** A model's feature importance: horizontal bars of the `top` most important features, one SVG. */
export async function importancePlot(rows: ReadonlyArray<{ feature: string; importance: number }>, top = 30): Promise<string> {
  const shown = [...rows].sort((a, b) => b.importance - a.importance).slice(0, top);
  const spec = {
    ...CONFIG,
    width: 360,
    height: { step: 14 },
    data: { name: 'importance' },
    mark: { type: 'bar', color: SIDE_COLOURS.actual },
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: { field: 'rank' }, title: null, axis: { labelLimit: 200 } },
      x: { field: 'importance', type: 'quantitative', title: 'mean decrease in impurity', axis: { tickCount: 4, labelAngle: 0, grid: true } },
    },
  };
  const [svg] = await plotEach(spec, [shown], (items) => ({ importance: items.map((r, rank) => ({ ...r, rank })) }));
  return svg!;
}
