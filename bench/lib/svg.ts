/** One bar: a case or a peer, its rate, and which kind of server answered. */
export interface Bar {
  label: string;
  value: number;
  group: 'baseline' | 'calibration' | 'gatehouse' | 'peer';
}

const COLOURS: Record<Bar['group'], string> = {
  baseline: '#8a8a8a',
  calibration: '#c4c4c4',
  gatehouse: '#2f6fb3',
  peer: '#d9822b',
};

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

/**
 * A horizontal bar chart of requests per second, one bar per case and peer, on a linear scale
 * (a slow case such as logins/s shows as a sliver with its number beside it). Plain SVG, no
 * library: it renders in a browser, on GitHub and in docs.
 *
 * @example
 * writeFileSync('bench/results/2026-11-25.svg', barChart('gatehouse bench', bars));
 */
export function barChart(title: string, bars: readonly Bar[], subtitle = ''): string {
  // About 6.6 px per character of 12 px system-ui: wide enough for the longest label.
  const labelWidth = Math.ceil(Math.max(120, ...bars.map((b) => b.label.length * 6.6)) + 16);
  const chartWidth = 520;
  const valueWidth = 90;
  const rowHeight = 24;
  const top = subtitle ? 62 : 44;
  const legend = 28;
  const width = labelWidth + chartWidth + valueWidth;
  const height = top + bars.length * rowHeight + legend + 10;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (b.value / max) * chartWidth);
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${xml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${COLOURS[b.group]}"/>`,
      `<text x="${labelWidth + w + 6}" y="${y + 16}">${fmt(b.value)}</text>`,
    ].join('');
  });
  const ly = top + bars.length * rowHeight + 16;
  const legendItems = (Object.keys(COLOURS) as Bar['group'][]).map((g, i) => {
    const x = labelWidth + i * 140;
    return `<rect x="${x}" y="${ly - 10}" width="12" height="12" fill="${COLOURS[g]}"/><text x="${x + 18}" y="${ly}">${g}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${xml(title)}</text>`,
    subtitle ? `<text x="10" y="42" fill="#555">${xml(subtitle)}</text>` : '',
    ...rows,
    ...legendItems,
    '</svg>',
    '',
  ].join('\n');
}
