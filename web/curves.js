// Deletion/insertion curves of a result as a small SVG: probability of the target class against the share
// of pixels removed (deletion, lower is better) or put back (insertion, higher is better).

const W = 280;
const H = 120;
const PAD = { left: 30, right: 8, top: 8, bottom: 20 };

function path(values) {
  const x = (i) => PAD.left + (i / (values.length - 1)) * (W - PAD.left - PAD.right);
  const y = (v) => PAD.top + (1 - Math.min(1, Math.max(0, v))) * (H - PAD.top - PAD.bottom);
  return values.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
}

export function curvesSvg(curves) {
  const axisY = H - PAD.bottom;
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="deletion and insertion curves">
    <line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${axisY}" class="axis"/>
    <line x1="${PAD.left}" y1="${axisY}" x2="${W - PAD.right}" y2="${axisY}" class="axis"/>
    <text x="${PAD.left - 4}" y="${PAD.top + 8}" class="tick" text-anchor="end">1</text>
    <text x="${PAD.left - 4}" y="${axisY}" class="tick" text-anchor="end">0</text>
    <text x="${W - PAD.right}" y="${H - 4}" class="tick" text-anchor="end">pixels changed →</text>
    <path d="${path(curves.deletion.values)}" class="deletion"/>
    <path d="${path(curves.insertion.values)}" class="insertion"/>
  </svg>
  <p class="legend"><span class="deletion">deletion AUC ${curves.deletion.auc.toFixed(3)}</span> <span class="insertion">insertion AUC ${curves.insertion.auc.toFixed(3)}</span></p>`;
}
