// Colour a map over the image in the browser: the user picks the colour map and the opacity. Weak
// attributions stay transparent (alpha grows with the value), as in the server's overlay PNGs.

const COLORMAPS = {
  // Sampled at 9 points from matplotlib; linear interpolation in between.
  inferno: [[0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85], [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164]],
  viridis: [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]],
  turbo: [[48, 18, 59], [65, 69, 171], [57, 118, 241], [27, 171, 226], [34, 216, 155], [126, 247, 81], [215, 219, 52], [252, 146, 36], [122, 4, 3]],
  grey: [[0, 0, 0], [255, 255, 255]],
};

export const COLORMAP_NAMES = Object.keys(COLORMAPS);

function colour(table, t) {
  const x = Math.min(1, Math.max(0, t)) * (table.length - 1);
  const i = Math.min(table.length - 2, Math.floor(x));
  const f = x - i;
  const a = table[i];
  const b = table[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** |map| scaled to [0, 1], saturating at the 99th percentile. */
export function normalise(map) {
  const magnitudes = Float32Array.from(map, Math.abs);
  const sorted = Float32Array.from(magnitudes).sort();
  const hi = sorted[Math.floor(0.99 * (sorted.length - 1))] || 0;
  const lo = sorted[0] || 0;
  const out = new Float32Array(map.length);
  if (!(hi > lo)) return out;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, (magnitudes[i] - lo) / (hi - lo)));
  return out;
}

/** The values of a grey PNG (a preview) as t ∈ [0, 1]. */
export async function greyValues(dataUrl) {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = new OffscreenCanvas(image.naturalWidth, image.naturalHeight);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const t = new Float32Array(canvas.width * canvas.height);
  for (let p = 0; p < t.length; p++) t[p] = rgba[p * 4] / 255;
  return { t, width: canvas.width, height: canvas.height };
}

/** Paint t (H·W in [0, 1]) on `canvas` with the colour map; `opacity` scales the alpha. */
export function paint(canvas, t, width, height, colormap, opacity) {
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(width, height);
  const table = COLORMAPS[colormap] ?? COLORMAPS.inferno;
  for (let p = 0; p < t.length; p++) {
    const [r, g, b] = colour(table, t[p]);
    pixels.data.set([r, g, b, Math.round(255 * opacity * Math.min(1, 1.25 * t[p]))], p * 4);
  }
  context.putImageData(pixels, 0, 0);
}
