/**
 * Deletion and insertion curves as one SVG: two panels side by side, one line per method × gradient, the
 * x axis the fraction of pixels deleted/inserted and the y axis the class probability. Plain SVG text, so
 * it renders on GitHub and in any browser without a plotting dependency.
 */
export interface CurveSeries {
  label: string;
  deletion: readonly number[];
  insertion: readonly number[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const PANEL = { width: 360, height: 240, left: 48, top: 46, gap: 40 };

export function renderCurvesSvg(series: readonly CurveSeries[], title = 'Deletion (lower is better) and insertion (higher is better)'): string {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const panel = (index: number, name: 'deletion' | 'insertion') => {
    const x0 = PANEL.left + index * (PANEL.width + PANEL.gap);
    const y0 = PANEL.top;
    const axes = [
      `<rect x="${x0}" y="${y0}" width="${PANEL.width}" height="${PANEL.height}" fill="none" stroke="#444"/>`,
      `<text x="${x0 + PANEL.width / 2}" y="${y0 - 6}" font-size="13" text-anchor="middle">${name}</text>`,
      `<text x="${x0 + PANEL.width / 2}" y="${y0 + PANEL.height + 28}" font-size="11" text-anchor="middle">fraction of pixels ${name === 'deletion' ? 'deleted' : 'inserted'}</text>`,
      ...[0, 0.5, 1].map((v) => `<text x="${x0 - 6}" y="${y0 + (1 - v) * PANEL.height + 4}" font-size="10" text-anchor="end">${v}</text>`),
      ...[0, 0.5, 1].map((v) => `<text x="${x0 + v * PANEL.width}" y="${y0 + PANEL.height + 14}" font-size="10" text-anchor="middle">${v}</text>`),
    ];
    const lines = series.map((s, i) => {
      const values = s[name];
      const points = values.map((v, k) => `${(x0 + (k / Math.max(1, values.length - 1)) * PANEL.width).toFixed(1)},${(y0 + (1 - Math.min(1, Math.max(0, v))) * PANEL.height).toFixed(1)}`);
      return `<polyline points="${points.join(' ')}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.5"/>`;
    });
    return [...axes, ...lines].join('');
  };
  const legendTop = PANEL.top + PANEL.height + 44;
  const legend = series.map((s, i) => {
    const y = legendTop + i * 16;
    return `<line x1="${PANEL.left}" x2="${PANEL.left + 24}" y1="${y}" y2="${y}" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="3"/><text x="${PANEL.left + 30}" y="${y + 4}" font-size="11">${escape(s.label)}</text>`;
  });
  const width = PANEL.left + 2 * PANEL.width + PANEL.gap + 20;
  const height = legendTop + series.length * 16 + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><text x="10" y="16" font-size="13">${escape(title)}</text>${panel(0, 'deletion')}${panel(1, 'insertion')}${legend.join('')}</svg>\n`;
}
