// Pictures that look like results, drawn from the prompt's words (for the README's screenshots
// and the demo; the tests use plain gradients). A landscape (sky by time of day, sun or moon,
// mountains, sea with a lighthouse, trees, houses, snow, fog) or a product shot (a mug on a
// table in soft light). Deterministic: the same prompt and image number give the same bytes.
import { seededRandom as random } from './faults';
import { encodePng, seedFromString } from './png';

type RGB = [number, number, number];

const mix = (a: RGB, b: RGB, t: number): RGB => {
  const k = Math.min(1, Math.max(0, t));
  return [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k, a[2] + (b[2] - a[2]) * k];
};
const smooth = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Smooth 1-D value noise in 0..1, a few octaves: a mountain ridge or a wave. */
function ridge(seed: number, octaves = 4): (x: number) => number {
  const next = random(seed);
  const points = Array.from({ length: 257 }, () => next());
  const at = (x: number): number => {
    const i = Math.floor(x);
    const f = x - i;
    const a = points[((i % 256) + 256) % 256]!;
    const b = points[(((i + 1) % 256) + 256) % 256]!;
    return a + (b - a) * f * f * (3 - 2 * f);
  };
  return (x) => {
    let sum = 0;
    let norm = 0;
    for (let o = 0; o < octaves; o++) {
      const w = 1 / 2 ** o;
      sum += at(x * 2 ** o + o * 17.3) * w;
      norm += w;
    }
    return sum / norm;
  };
}

interface Palette {
  skyTop: RGB;
  skyBottom: RGB;
  sun: RGB;
  far: RGB;
  near: RGB;
  night: boolean;
}

function paletteOf(words: string): Palette {
  if (/night|moon|star|夜|月/.test(words)) return { skyTop: [8, 12, 36], skyBottom: [38, 52, 104], sun: [240, 238, 214], far: [44, 54, 92], near: [20, 26, 48], night: true };
  if (/dusk|sunset|evening|golden hour|黄昏|日落|傍晚/.test(words)) return { skyTop: [52, 40, 112], skyBottom: [252, 158, 92], sun: [255, 214, 150], far: [118, 76, 118], near: [58, 38, 72], night: false };
  if (/morning|dawn|sunrise|清晨|早晨|日出/.test(words)) return { skyTop: [140, 186, 236], skyBottom: [252, 226, 192], sun: [255, 246, 222], far: [150, 166, 190], near: [88, 112, 122], night: false };
  return { skyTop: [64, 126, 210], skyBottom: [192, 222, 246], sun: [255, 250, 232], far: [118, 148, 172], near: [58, 98, 82], night: false };
}

/** Paints the picture into `rgb` (width*height*3). */
function paint(width: number, height: number, prompt: string, variant: number, rgb: Uint8Array): void {
  const words = prompt.toLowerCase();
  const seed = seedFromString(prompt) ^ Math.imul(variant + 1, 0x9e3779b1);
  const next = random(seed);
  const set = (x: number, y: number, c: RGB): void => {
    const i = (y * width + x) * 3;
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  };
  const get = (x: number, y: number): RGB => {
    const i = (y * width + x) * 3;
    return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
  };
  const blend = (x: number, y: number, c: RGB, alpha: number): void => {
    if (alpha > 0.002 && x >= 0 && y >= 0 && x < width && y < height) set(x, y, mix(get(x, y), c, alpha));
  };
  const W = width;
  const H = height;
  const u = Math.min(W, H);

  if (/mug|cup|coffee|tea|ceramic|product|杯/.test(words)) {
    // A product shot: a soft-lit backdrop, a wooden table, a glazed mug with its shadow and steam.
    const glaze: RGB[] = [[226, 222, 212], [88, 132, 160], [196, 112, 84], [62, 86, 74]];
    const body = glaze[(seed >>> 3) % glaze.length]!;
    const wood = ridge(seed ^ 7, 3);
    const tableTop = H * 0.64;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (y < tableTop) {
          const d = Math.hypot((x - W * 0.55) / W, (y - H * 0.2) / H);
          set(x, y, mix([250, 240, 224], [150, 132, 116], smooth(0.05, 0.75, d)));
        } else {
          const grain = wood(x / (W * 0.02) + Math.sin(y / 9) * 0.6 + y * 0.02);
          const base = mix([150, 98, 62], [110, 68, 40], grain);
          set(x, y, mix(base, [70, 44, 28], smooth(tableTop, H, y) * 0.5));
        }
      }
    }
    const cx = W * (0.46 + (variant % 3) * 0.04);
    const w = u * 0.34;
    const top = H * 0.36;
    const bottom = tableTop + u * 0.06;
    // Shadow on the table.
    for (let y = Math.floor(bottom - u * 0.05); y < Math.min(H, bottom + u * 0.08); y++) {
      for (let x = Math.floor(cx - w); x < Math.min(W, cx + w * 1.6); x++) {
        const d = Math.hypot((x - cx - w * 0.35) / (w * 1.05), (y - bottom) / (u * 0.06));
        blend(x, y, [40, 26, 18], 0.45 * (1 - smooth(0.6, 1.1, d)));
      }
    }
    // Handle: a ring on the right.
    const hx = cx + w / 2;
    const hy = (top + bottom) / 2;
    for (let y = Math.floor(hy - u * 0.14); y < hy + u * 0.14; y++) {
      for (let x = Math.floor(hx - 2); x < hx + u * 0.14; x++) {
        const r = Math.hypot((x - hx) / 1.0, (y - hy) / 1.15);
        const ring = 1 - smooth(0, 1.2, Math.abs(r - u * 0.085) - u * 0.022);
        blend(x, y, mix(body, [40, 40, 40], 0.25), ring);
      }
    }
    // Body: a cylinder lit from the left, with a rounded foot and a rim of coffee.
    for (let y = Math.floor(top); y < bottom; y++) {
      for (let x = Math.floor(cx - w / 2 - 1); x < cx + w / 2 + 1; x++) {
        const t = (x - (cx - w / 2)) / w;
        const edge = Math.min(x - (cx - w / 2), cx + w / 2 - x);
        const foot = y > bottom - u * 0.04 ? Math.hypot((Math.abs(x - cx) - (w / 2 - u * 0.04)) / 1, y - (bottom - u * 0.04)) : 0;
        const inside = smooth(-0.8, 0.8, edge) * (foot > 0 && Math.abs(x - cx) > w / 2 - u * 0.04 ? 1 - smooth(u * 0.04 - 1, u * 0.04 + 1, foot) : 1);
        const light = 0.55 + 0.6 * Math.sin(Math.PI * Math.min(1, Math.max(0, t * 0.9 + 0.05))) - 0.25 * t;
        const shade = mix(mix(body, [20, 20, 24], 0.55), mix(body, [255, 255, 255], 0.35), light);
        const highlight = Math.exp(-(((t - 0.27) / 0.05) ** 2)) * 0.5;
        blend(x, y, mix(shade, [255, 255, 255], highlight), inside);
      }
    }
    for (let y = Math.floor(top - u * 0.05); y < top + u * 0.05; y++) {
      for (let x = Math.floor(cx - w / 2 - 2); x < cx + w / 2 + 2; x++) {
        const e = Math.hypot((x - cx) / (w / 2), (y - top) / (u * 0.035));
        blend(x, y, mix(body, [255, 255, 255], 0.25), 1 - smooth(0.97, 1.03, e));
        blend(x, y, [70, 40, 24], 1 - smooth(0.8, 0.86, e));
      }
    }
    // Steam.
    for (let k = 0; k < 2; k++) {
      for (let y = Math.floor(top - u * 0.3); y < top - u * 0.06; y++) {
        const sx = cx + (k - 0.5) * w * 0.3 + Math.sin(y / (u * 0.05) + k * 2) * u * 0.025;
        for (let x = Math.floor(sx - 6); x < sx + 6; x++) blend(x, y, [255, 255, 255], 0.18 * (1 - smooth(1, 5, Math.abs(x - sx))) * smooth(top - u * 0.3, top - u * 0.2, y));
      }
    }
  } else {
    const p = paletteOf(words);
    const snow = /snow|winter|雪/.test(words);
    const sea = /sea|ocean|coast|beach|lighthouse|lake|海|湖/.test(words);
    const horizon = H * (sea ? 0.6 : 0.62);
    const sunX = W * (0.25 + 0.5 * next());
    const sunY = H * (p.night ? 0.2 : 0.28 + 0.12 * next());
    const sunR = u * (p.night ? 0.06 : 0.075);
    const far = ridge(seed ^ 11);
    const near = ridge(seed ^ 23);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let c = mix(p.skyTop, p.skyBottom, smooth(0, horizon, y));
        const d = Math.hypot(x - sunX, y - sunY);
        c = mix(c, p.sun, 0.55 * Math.exp(-d / (u * 0.25)));
        c = mix(c, p.sun, 1 - smooth(sunR - 1, sunR + 1, d));
        set(x, y, c);
      }
    }
    if (p.night) for (let k = 0; k < (W * H) / 900; k++) blend(Math.floor(next() * W), Math.floor(next() * horizon * 0.9), [255, 255, 240], 0.4 + 0.6 * next());
    const farTop = (x: number): number => horizon - H * (0.1 + 0.22 * far(x / (W * 0.18)));
    const nearTop = (x: number): number => horizon + H * (sea ? -0.02 : 0.04) - H * (0.05 + 0.12 * near(x / (W * 0.12) + 40));
    for (let x = 0; x < W; x++) {
      const f = farTop(x);
      const n = sea ? H : nearTop(x);
      for (let y = Math.max(0, Math.floor(f - 1)); y < H; y++) {
        const hazeFar = mix(p.far, p.skyBottom, 0.35);
        const farColor = snow ? mix(hazeFar, [236, 240, 248], smooth(f, f + H * 0.05, y) * 0.2 + (y < f + H * 0.04 ? 0.6 : 0)) : hazeFar;
        blend(x, y, farColor, smooth(f - 0.5, f + 0.5, y));
        if (!sea && y >= n - 1) {
          const ground = snow ? mix([226, 232, 244], [170, 182, 206], smooth(n, H, y)) : mix(p.near, mix(p.near, [0, 0, 0], 0.4), smooth(n, H, y));
          blend(x, y, ground, smooth(n - 0.5, n + 0.5, y));
        }
      }
    }
    if (sea) {
      const wave = ridge(seed ^ 31, 2);
      for (let y = Math.floor(horizon); y < H; y++) {
        for (let x = 0; x < W; x++) {
          const depth = smooth(horizon, H, y);
          let c = mix(mix(p.skyBottom, p.skyTop, 0.35), mix(p.skyTop, [0, 10, 30], 0.5), depth);
          const ripple = wave(x / 30 + y * y * 0.002);
          c = mix(c, p.sun, 0.5 * Math.exp(-(((x - sunX) / (u * (0.05 + depth * 0.12))) ** 2)) * (ripple > 0.5 ? 1 : 0.4));
          set(x, y, mix(c, [255, 255, 255], ripple > 0.82 ? 0.12 : 0));
        }
      }
      // A rock and a lighthouse with a lit lamp.
      const lx = W * (sunX > W / 2 ? 0.24 : 0.74);
      const rockTop = horizon + H * 0.02;
      for (let y = Math.floor(rockTop - H * 0.08); y < Math.min(H, rockTop + H * 0.12); y++) {
        for (let x = Math.floor(lx - W * 0.2); x < lx + W * 0.2; x++) {
          const e = Math.hypot((x - lx) / (W * 0.16), (y - (rockTop + H * 0.05)) / (H * 0.1)) + 0.15 * (near(x / 14) - 0.5);
          blend(x, y, mix(p.near, [0, 0, 0], 0.3 + 0.3 * smooth(rockTop, rockTop + H * 0.1, y)), 1 - smooth(0.97, 1.03, e));
        }
      }
      const towerBottom = rockTop - H * 0.03;
      const towerTop = towerBottom - H * 0.32;
      for (let y = Math.floor(towerTop); y < towerBottom; y++) {
        const t = (y - towerTop) / (towerBottom - towerTop);
        const half = u * (0.022 + 0.018 * t);
        const band = Math.floor(t * 5) % 2 === 0 ? [236, 232, 226] : [190, 52, 48];
        for (let x = Math.floor(lx - half - 1); x < lx + half + 1; x++) {
          const shade = 0.75 + 0.35 * ((x - (lx - half)) / (2 * half));
          blend(x, y, mix(band as RGB, [0, 0, 0], 1 - Math.min(1, shade)), smooth(-0.8, 0.8, half - Math.abs(x - lx)));
        }
      }
      const lampY = towerTop - u * 0.025;
      for (let y = Math.floor(lampY - u * 0.2); y < lampY + u * 0.2; y++) {
        for (let x = 0; x < W; x++) {
          const d = Math.hypot(x - lx, y - lampY);
          blend(x, y, [255, 236, 170], 0.8 * Math.exp(-d / (u * 0.03)));
          const beam = Math.abs((y - lampY) - (x - lx) * 0.08) < u * 0.012 + Math.abs(x - lx) * 0.05 && x < lx;
          if (beam) blend(x, y, [255, 240, 190], 0.25 * Math.exp(-Math.abs(x - lx) / (W * 0.35)));
        }
      }
    }
    if (/forest|tree|pine|wood|autumn|森林|树/.test(words)) {
      const autumn = /autumn|fall|秋/.test(words);
      for (let k = 0; k < 40; k++) {
        const tx = next() * W;
        const base = (sea ? horizon : nearTop(tx)) + H * (0.02 + 0.3 * next());
        const th = u * (0.1 + 0.12 * next()) * (0.6 + (base - horizon) / H);
        const colour: RGB = autumn ? ([[196, 96, 40], [220, 150, 52], [150, 60, 40]] as RGB[])[k % 3]! : mix(p.near, [10, 40, 24], 0.5);
        // A trunk, then the crown: a pine's cone, or a round autumn crown above the trunk.
        for (let y = Math.floor(base - th * 0.45); y < Math.min(H, base); y++) for (let x = Math.floor(tx - th * 0.03); x < tx + th * 0.03; x++) blend(x, y, [58, 40, 30], 1);
        for (let y = Math.floor(base - th); y < Math.min(H, base - th * 0.2); y++) {
          const half = autumn ? Math.sqrt(Math.max(0, 1 - ((y - (base - th * 0.62)) / (th * 0.38)) ** 2)) * th * 0.3 : ((y - (base - th)) / (th * 0.8)) * th * 0.26;
          for (let x = Math.floor(tx - half - 1); x < tx + half + 1; x++) blend(Math.floor(x), y, mix(colour, [0, 0, 0], 0.2 * (x > tx ? 1 : 0)), smooth(-0.8, 0.8, half - Math.abs(x - tx)));
        }
      }
    }
    if (/\b(village|houses?|cabins?|town)\b|村|房/.test(words)) {
      for (let k = 0; k < 7; k++) {
        const hx = W * (0.15 + 0.7 * next());
        const hb = nearTop(hx) + H * (0.06 + 0.12 * next());
        const hw = u * (0.05 + 0.03 * next());
        const hh = hw * 0.8;
        for (let y = Math.floor(hb - hh * 1.7); y < hb; y++) {
          for (let x = Math.floor(hx - hw); x < hx + hw; x++) {
            if (y > hb - hh) blend(x, y, x > hx ? [92, 70, 62] : [124, 96, 82], 1);
            else if (Math.abs(x - hx) < (y - (hb - hh * 1.7)) * (hw / (hh * 0.7)) * 0.95) blend(x, y, snow ? [240, 244, 250] : [120, 50, 44], 1);
            const win = Math.abs(x - (hx - hw * 0.45)) < hw * 0.14 && Math.abs(y - (hb - hh * 0.55)) < hh * 0.16;
            if (win) blend(x, y, p.night || /dusk|evening|黄昏/.test(words) ? [255, 210, 120] : [60, 70, 90], 1);
          }
        }
      }
    }
    if (/fog|mist|haze|雾/.test(words)) {
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) blend(x, y, [236, 236, 240], 0.4 * smooth(H * 0.35, H * 0.8, y) * (0.7 + 0.3 * far(x / 90 + y / 70)));
    }
  }
  // A soft vignette and a little grain, as a camera or a renderer leaves.
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = Math.hypot((x - W / 2) / W, (y - H / 2) / H);
      const c = mix(get(x, y), [0, 0, 0], smooth(0.35, 0.85, v) * 0.35);
      const g = (next() - 0.5) * 6;
      set(x, y, [Math.max(0, Math.min(255, c[0] + g)), Math.max(0, Math.min(255, c[1] + g)), Math.max(0, Math.min(255, c[2] + g))]);
    }
  }
}

/** The size of a picture with `longSide` pixels on its long side, in the task's aspect ratio. */
export function sceneSize(aspectRatio: string | undefined, longSide: number): { width: number; height: number } {
  const m = /^(\d{1,2}):(\d{1,2})$/.exec(aspectRatio ?? '');
  const [w, h] = m ? [Number(m[1]), Number(m[2])] : [1, 1];
  if (!w || !h) return { width: longSide, height: longSide };
  return w >= h ? { width: longSide, height: Math.max(1, Math.round((longSide * h) / w)) } : { width: Math.max(1, Math.round((longSide * w) / h)), height: longSide };
}

export function scenePng(width: number, height: number, prompt: string, variant: number): Buffer {
  const rgb = new Uint8Array(width * height * 3);
  paint(width, height, prompt, variant, rgb);
  return encodePng(width, height, rgb);
}
