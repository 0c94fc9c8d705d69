#!/usr/bin/env node
// Issue 17 sweep table: every saved `lrsal eval --save` JSON given, paired per photo against a reference run's
// rows (default IG, RISE, blur difference). Usage: node scripts/ig-sweep-table.mjs REF.json RUN.json…
// Prints a markdown table: mean ± s.e. over photos, and paired differences (difference ± s.e., photos ahead).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const [refFile, ...files] = process.argv.slice(2);
const load = (f) => JSON.parse(readFileSync(f, 'utf8'));
const ref = load(refFile);
const row = (out, method) => out.results.find((r) => r.method === method);
const refRows = { ig: row(ref, 'ig'), rise: row(ref, 'rise'), blur: row(ref, 'blur-difference') };
const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;
const se = (v) => { const m = mean(v); return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) / v.length); };
const f3 = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(3);
/** a − b per photo; `lowerBetter` counts photos where a is ahead. */
const paired = (a, b, lowerBetter) => {
  if (!a || !b || a.length !== b.length) return 'n/a';
  const d = a.map((x, i) => x - b[i]);
  const ahead = d.filter((x) => (lowerBetter ? x < 0 : x > 0)).length;
  return `${f3(mean(d))} ± ${se(d).toFixed(3)} (${ahead}/${d.length})`;
};
const settingsText = (s) => Object.entries(s ?? {}).filter(([k]) => !['seed', 'half', 'limit'].includes(k)).map(([k, v]) => `${k}=${v}`).join(' ');
console.log('| run | settings | photos | deletion ↓ | insertion ↑ | Δdel vs default IG | Δins vs default IG | Δdel vs RISE | Δins vs RISE | Δins vs blur-diff |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const f of [refFile, ...files]) {
  const out = load(f);
  for (const r of out.results.filter((r) => r.method === 'ig' || (f === refFile))) {
    const p = r.perImage;
    const isRef = f === refFile && r.method !== 'ig';
    console.log(`| ${basename(f, '.json')}${isRef ? ` (${r.method})` : ''} | ${isRef ? r.method : settingsText(out.settings)} | ${p.deletion.length} | ${mean(p.deletion).toFixed(3)} ± ${se(p.deletion).toFixed(3)} | ${mean(p.insertion).toFixed(3)} ± ${se(p.insertion).toFixed(3)} | ${paired(p.deletion, refRows.ig.perImage.deletion, true)} | ${paired(p.insertion, refRows.ig.perImage.insertion, false)} | ${paired(p.deletion, refRows.rise.perImage.deletion, true)} | ${paired(p.insertion, refRows.rise.perImage.insertion, false)} | ${paired(p.insertion, refRows.blur.perImage.insertion, false)} |`);
  }
}
