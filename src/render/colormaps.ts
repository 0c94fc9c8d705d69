/**
 * Named colour maps for saliency pictures. Sequential maps (inferno, viridis, magma) show magnitudes;
 * the diverging map (coolwarm: blue − white + red) shows signed maps, with white at zero.
 * Each is sampled at a few points (matplotlib's values); linear interpolation is close enough for display.
 */

type Stops = ReadonlyArray<readonly [number, number, number]>;

const STOPS = {
  inferno: [
    [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85],
    [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
  ],
  viridis: [
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
  ],
  magma: [
    [0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122],
    [229, 80, 100], [251, 135, 97], [254, 194, 135], [252, 253, 191],
  ],
  // matplotlib 'coolwarm' is grey at zero; this is RdBu reversed, white at zero, which reads better over photos.
  coolwarm: [
    [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
    [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
  ],
} as const satisfies Record<string, Stops>;

export type ColormapName = keyof typeof STOPS;
export const COLORMAPS = Object.keys(STOPS) as ColormapName[];
/** Maps whose middle (t = 0.5) is zero: used for signed maps. */
export const DIVERGING_COLORMAPS: readonly ColormapName[] = ['coolwarm'];

export function isDiverging(name: ColormapName): boolean {
  return DIVERGING_COLORMAPS.includes(name);
}

/** RGB (0..255, fractional) of t ∈ [0, 1] on the named colour map; t outside is clamped. */
export function colourAt(name: ColormapName, t: number): [number, number, number] {
  const stops: Stops = STOPS[name];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** A 256-entry lookup table (RGB bytes) for fast per-pixel colouring. */
export function colourTable(name: ColormapName): Uint8Array {
  const table = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) {
    const [r, g, b] = colourAt(name, k / 255);
    table[k * 3] = Math.round(r);
    table[k * 3 + 1] = Math.round(g);
    table[k * 3 + 2] = Math.round(b);
  }
  return table;
}
